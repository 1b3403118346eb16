from django.contrib.auth.models import AbstractUser
from django.db import models


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
        """The name shown beside the person's posts."""
        return self.display_name or self.username

    @property
    def awaits_verification(self):
        """True for a signed-up account whose e-mail address has not been confirmed yet."""
        return not self.is_active and self.email_verified_at is None
