"""Sign-up, login and profile forms."""

import unicodedata

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.core.forms import VisibleTextField
from portal.core.text import looks_like_email, skeleton
from portal.core.ratelimit import client_ip

from . import throttle
from .backends import find_user


# Words that would make a resident look like the portal or the facility speaking.
RESERVED_NAME_WORDS = ("staff", "moderator", "admin", "administrator", "official", "xai", "portal")
# Compared by skeleton (UTS #39), so "Stаff" with a Cyrillic а or "m0derator" count as the word.
# Skeletons depend on case (capital I looks like l), hence the three spellings of each word.
_RESERVED_SKELETONS = frozenset(skeleton(v) for w in RESERVED_NAME_WORDS for v in (w, w.title(), w.upper()))


def _skeleton_words(value):
    # Accents are dropped too: a dot under the a must not make "Staff" a different word.
    letters = (c for c in skeleton(value) if not unicodedata.combining(c))
    return set("".join(c if c.isalnum() else " " for c in letters).split())


def validate_public_name(value):
    """What every display name must satisfy, the team's included: it is not an e-mail address."""
    if looks_like_email(value):
        raise forms.ValidationError(_("Please choose a name that is not an e-mail address: the name is shown publicly."))
    if not any(c.isalnum() for c in value):
        raise forms.ValidationError(_("Use at least one letter or digit."))


def validate_display_name(value):
    """Refuse display names that impersonate staff; official answers carry a staff badge instead."""
    validate_public_name(value)
    if _skeleton_words(value) & _RESERVED_SKELETONS:
        raise forms.ValidationError(_("Please choose another name: words such as “staff”, “moderator” or “official” are kept for the portal's team.")
        )


class HoneypotMixin:
    """A field people never see (hidden by CSS, skipped by keyboard); bots fill it in."""

    honeypot_field = "website"

    def add_honeypot(self):
        self.fields[self.honeypot_field] = forms.CharField(
            required=False,
            label=_("Leave this field empty"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def clean_website(self):
        value = self.cleaned_data.get(self.honeypot_field, "")
        if value:
            raise forms.ValidationError(_("This field must be left empty; it catches automated sign-ups."))
        return value


class SignUpForm(HoneypotMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"), help_text=_("We send a link to confirm it. Never shown publicly."))
    display_name = VisibleTextField(
        max_length=60, label=_("Display name"), help_text=_("Shown beside your questions and replies."),
        validators=[validate_display_name],
    )
    neighbourhood = forms.CharField(
        max_length=80, required=False, label=_("Neighbourhood (optional)"),
        help_text=_("Shown publicly beside your name, for example Boxtown or Westwood."),
    )
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_honeypot()

    def clean_email(self):
        # No "this address has an account" error: that would tell anyone who has an account here.
        # services.sign_up mails the address's owner instead.
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = get_user_model()(email=cleaned.get("email", ""), display_name=cleaned.get("display_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, throttled per login name and IP, with clear messages."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address (or username) and password do not match. Both are case-sensitive except the e-mail address."),
        "locked": _("Too many failed attempts. For your account's safety, logging in from here is paused for %(minutes)s minutes. You can reset your password meanwhile."),
        "unverified": _("Please confirm your e-mail address first: we have just sent a new link to it."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail address or username")

    def clean(self):
        from django.conf import settings

        login_name = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        ip = client_ip(self.request) if self.request else "unknown"
        if login_name and throttle.is_locked(login_name, ip):
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"minutes": settings.ACCOUNT_LOGIN_LOCKOUT_MINUTES}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if login_name and password:
                user = find_user(login_name)
                if user is not None and user.awaits_verification and user.check_password(password):
                    from .services import send_verification_email

                    send_verification_email(user)
                    raise forms.ValidationError(self.error_messages["unverified"], code="unverified") from None
                throttle.record_failure(login_name, ip)
            raise
        throttle.clear(login_name, ip)
        return cleaned


class ProfileForm(forms.Form):
    display_name = VisibleTextField(
        max_length=60, label=_("Display name"), help_text=_("Shown beside your posts."), validators=[validate_public_name]
    )
    neighbourhood = forms.CharField(
        max_length=80, required=False, label=_("Neighbourhood (optional)"), help_text=_("Shown publicly beside your name.")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_display_name(self):
        from . import roles

        value = self.cleaned_data["display_name"]
        # Staff and moderators may say so in their name; residents may not.
        if not (self.user and (roles.is_moderator(self.user) or roles.is_staff_member(self.user))):
            validate_display_name(value)
        return value


class AddressPasswordResetForm(PasswordResetForm):
    """Also mails accounts still waiting for verification: someone who lost the first e-mail, or
    whose address a stranger signed up with, gets in by proving they read that mailbox."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        # In the account's language, not the language of the page the request came from.
        with translation.override(context["user"].language):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name)

    def get_users(self, email):
        User = get_user_model()
        candidates = User.objects.filter(email__iexact=email.strip())
        return (u for u in candidates if u.has_usable_password() and (u.is_active or u.awaits_verification))
