"""Account state changes: sign-up, e-mail verification, profile edits, roles."""

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import roles

VERIFY_SALT = "portal.accounts.verify-email"


def _new_username():
    # Usernames are never shown (the display name is), so a random one keeps e-mail addresses private.
    User = get_user_model()
    while True:
        name = f"resident-{secrets.token_hex(4)}"
        if not User.objects.filter(username=name).exists():
            return name


def sign_up(*, email, password, display_name, neighbourhood="", language=None, next_url=""):
    """What the sign-up form does: a new account for a new address; for an address that has one,
    an e-mail telling its owner, and nothing else. The visitor sees the same answer either way, so
    sign-up does not tell a stranger who has an account (login and password reset do not either).
    ``next_url`` (a local path, checked by the caller) rides on the e-mailed link, so the resident
    lands where they were going once they log in. Returns the new account, or None."""
    User = get_user_model()
    existing = User.objects.filter(email__iexact=email.strip()).first()
    if existing is None:
        try:
            # The savepoint lets a lost race for the same address end as "exists" below.
            with transaction.atomic():
                return register_account(
                    email=email, password=password, display_name=display_name, neighbourhood=neighbourhood,
                    language=language, next_url=next_url,
                )
        except IntegrityError:
            existing = User.objects.filter(email__iexact=email.strip()).first()
            if existing is None:
                raise
    else:
        # Hash anyway, so that a taken address takes as long to answer as a new one.
        make_password(password)
    transaction.on_commit(lambda: send_signup_attempt_email(existing))
    return None


def send_signup_attempt_email(user):
    """Tell an account's owner that someone tried to sign up with their address."""
    context = {
        "user": user,
        "login_link": settings.SITE_URL + reverse("accounts:login"),
        "reset_link": settings.SITE_URL + reverse("accounts:password_reset"),
    }
    with translation.override(user.language):
        send_mail(
            _("Someone tried to sign up with your address on the Community Impact Portal"),
            render_to_string("accounts/email/signup_attempt.txt", context),
            None,
            [user.email],
        )


@transaction.atomic
def register_account(*, email, password, display_name, neighbourhood="", language=None, next_url=""):
    """Create an inactive resident account and send the confirmation e-mail (in ``language``, the
    page's language at sign-up, else the site's default). Returns the user."""
    User = get_user_model()
    user = User(
        username=_new_username(),
        email=User.objects.normalize_email(email).lower(),
        display_name=display_name.strip(),
        neighbourhood=neighbourhood.strip(),
        is_active=False,
        language=_known_language(language),
    )
    user.set_password(password)
    user.save()
    group, _ = Group.objects.get_or_create(name=roles.RESIDENT)
    user.groups.add(group)
    transaction.on_commit(lambda: send_verification_email(user, next_url=next_url))
    return user


def make_verification_token(user):
    return signing.dumps({"id": user.pk, "email": user.email}, salt=VERIFY_SALT)


def send_verification_email(user, next_url=""):
    """Mail a link that confirms the address; valid for ACCOUNT_VERIFY_DAYS days. ``next_url``, a
    local path, is passed on to the login page the link leads to."""
    link = settings.SITE_URL + reverse("accounts:verify", args=[make_verification_token(user)])
    if next_url:
        link += "?" + urlencode({"next": next_url})
    context = {"user": user, "link": link, "days": settings.ACCOUNT_VERIFY_DAYS}
    with translation.override(user.language):
        send_mail(
            _("Confirm your e-mail address for the Community Impact Portal"),
            render_to_string("accounts/email/verify.txt", context),
            None,
            [user.email],
        )


class VerificationError(Exception):
    """The link is expired, altered, or was made for another address."""


def verify_email(token):
    """Activate the account named by ``token``. Returns (user, changed)."""
    User = get_user_model()
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.ACCOUNT_VERIFY_DAYS * 86400)
    except signing.SignatureExpired:
        raise VerificationError(_("This link has expired. Log in to have a new one sent.")) from None
    except signing.BadSignature:
        raise VerificationError(_("This link is not valid. Copy the whole link from the e-mail.")) from None
    user = User.objects.filter(pk=data.get("id"), email=data.get("email")).first()
    if user is None:
        raise VerificationError(_("This link was made for an address the account no longer uses."))
    if user.email_verified_at is not None:
        return user, False
    # Only activate accounts waiting for verification: a deactivated account stays deactivated.
    changed = User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
        email_verified_at=timezone.now(), is_active=True
    )
    user.refresh_from_db()
    return user, bool(changed)


def confirm_address(user):
    """Mark the address confirmed after the person proved they read it (a password reset link).
    Returns whether the account changed; a deactivated, confirmed account stays deactivated."""
    User = get_user_model()
    changed = User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
        email_verified_at=timezone.now(), is_active=True
    )
    user.refresh_from_db()
    return bool(changed)


def update_profile(user, *, display_name, neighbourhood):
    """Change the public name and neighbourhood; returns whether anything changed."""
    display_name, neighbourhood = display_name.strip(), neighbourhood.strip()
    if (user.display_name, user.neighbourhood) == (display_name, neighbourhood):
        return False
    user.display_name, user.neighbourhood = display_name, neighbourhood
    user.save(update_fields=["display_name", "neighbourhood"])
    return True


def _known_language(language):
    """``language`` if the site offers it (en-us counts as en), else the default language."""
    offered = dict(settings.LANGUAGES)
    for code in (language or "", (language or "").split("-")[0]):
        if code in offered:
            return code
    return settings.LANGUAGE_CODE


def set_language(user, language):
    """Keep the language a person chose (their e-mails' language); returns whether it changed."""
    language = _known_language(language)
    if user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True


def set_trusted(user, trusted):
    """Let an account post without review (or take that away); returns whether it changed."""
    if user.is_trusted == trusted:
        return False
    user.is_trusted = trusted
    user.save(update_fields=["is_trusted"])
    return True
