import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

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
    # The language of the person's e-mails: set at sign-up from the page's language and whenever they
    # use the language switcher signed in; e-mails are rendered in it whatever the sender's language.
    language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE, help_text="The language of the account's e-mails."
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


# Scoped keys start with this, so a leaked one is easy to recognise (and to search for in logs).
API_KEY_PREFIX = "cip_"
API_KEY_SHOWN_CHARS = 12  # "cip_" and 8 random characters: enough to tell keys apart in a list


def hash_api_key(key):
    """The SHA-256 of a key, as stored: the key itself is never kept."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiTokenManager(models.Manager):
    def issue(self, user, name, scopes, days=90):
        """A new token for ``user``, limited to ``scopes``, valid for ``days``. Returns (token, key).

        The key is returned once and stored only as its hash. Raises ValidationError when a scope
        is not one of the user's own permissions.
        """
        token = self.model(user=user, name=name, scopes=sorted(set(scopes)), expires_at=timezone.now() + dt.timedelta(days=days))
        key = token.set_new_key()
        token.full_clean()
        token.save()
        return token, key


class ApiToken(models.Model):
    """A key for scripts that write through the API, limited to the permissions it names.

    A request with it may do only what its scopes and the user's current permissions both allow,
    and it stands in for the second factor that staff sessions need. Only the key's SHA-256 is
    stored (with a short prefix to recognise it); the key is shown once, when issued.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. “monthly publishing script”.")
    prefix = models.CharField(max_length=API_KEY_SHOWN_CHARS, editable=False)
    key_hash = models.CharField("SHA-256 of the key", max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list, help_text="Permission names (app_label.codename) the token may use.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def clean(self):
        if not isinstance(self.scopes, list) or not all(isinstance(s, str) for s in self.scopes):
            raise ValidationError({"scopes": "Scopes are a list of permission names."})
        if not self.scopes:
            raise ValidationError({"scopes": "Give the token at least one scope."})
        if self.user_id is not None:
            own = self.user.get_all_permissions() if self.user.is_active else set()
            foreign = sorted(set(self.scopes) - own)
            if foreign:
                raise ValidationError({"scopes": f"{self.user.username} does not have {', '.join(foreign)}; a token's scopes come from its user's permissions."})

    def set_new_key(self):
        """Give the token a new random key (32 bytes); returns the key, which is not kept."""
        key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        self.prefix, self.key_hash = key[:API_KEY_SHOWN_CHARS], hash_api_key(key)
        return key

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    def refusal(self):
        """Why this token cannot be used now ("" if it can)."""
        if self.revoked_at is not None:
            return f"This API token ({self.prefix}…) was revoked on {self.revoked_at:%Y-%m-%d}."
        if self.is_expired:
            return f"This API token ({self.prefix}…) expired on {self.expires_at:%Y-%m-%d}; ask for a new one."
        if not self.user.is_active:
            return "This API token's account is inactive."
        return ""

    def revoke(self):
        """Stop the token working from now on. Returns whether it changed anything."""
        changed = ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.refresh_from_db(fields=["revoked_at"])
        return bool(changed)
