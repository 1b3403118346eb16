"""Log in with either the e-mail address or the username."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailOrUsernameBackend(ModelBackend):
    """ModelBackend that also accepts the e-mail address (case-insensitive) as the login name."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        user = find_user(username)
        if user is None:
            # Run the hasher anyway so a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def find_user(login_name):
    """The account whose e-mail address or username is ``login_name``, or None."""
    User = get_user_model()
    login_name = (login_name or "").strip()
    if "@" in login_name:
        user = User.objects.filter(email__iexact=login_name).first()
        if user is not None:
            return user
    return User.objects.filter(username=login_name).first()
