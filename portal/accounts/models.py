from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A portal account: a resident, a moderator, an analyst or an administrator.

    Roles are groups (see portal.accounts.roles); what a person shows publicly is their display
    name, never their username or e-mail address.
    """

    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(max_length=60, blank=True)
    neighbourhood = models.CharField(max_length=80, blank=True)

    def __str__(self):
        return self.public_name

    @property
    def public_name(self):
        """The name shown beside the person's posts."""
        return self.display_name or self.username
