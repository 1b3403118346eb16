from django.contrib.auth.models import AbstractUser
from django.db import models

from portal.core.text import looks_like_email, strip_invisible


class User(AbstractUser):
    """A portal account: a resident, a moderator, an analyst or an administrator.

    Roles are groups (see portal.accounts.roles); what a person shows publicly is their display
    name, never their username or e-mail address. An account made through sign-up stays inactive
    until its e-mail address is confirmed.
    """

    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(max_length=60, blank=True)
    neighbourhood = models.CharField(max_length=80, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    is_trusted = models.BooleanField(
        "trusted poster",
        default=False,
        help_text="Trusted accounts post without review, even before their first reviewed posts.",
    )

    def __str__(self):
        return self.public_name

    @property
    def public_name(self):
        """The name shown beside the person's posts: the display name, else the username, but never
        an e-mail address (an admin-made account may be named by its address and have no display
        name); then a neutral "Portal team" or "Resident"."""
        for name in (self.display_name, self.username):
            name = strip_invisible(name or "").strip()
            if name and not looks_like_email(name):
                return name
        return "Portal team" if self.is_staff else "Resident"

    @property
    def awaits_verification(self):
        """True for a signed-up account whose e-mail address has not been confirmed yet."""
        return not self.is_active and self.email_verified_at is None
