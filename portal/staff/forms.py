"""Forms of the staff console: the two-factor login, and the questions admin actions ask."""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django_otp.admin import OTPAdminAuthenticationForm

from impact.periods import PeriodError, parse_period
from impact.services import GWP_SETS
from portal.accounts import throttle
from portal.forums.models import Reason
from portal.core.ratelimit import client_ip


class StaffLoginForm(OTPAdminAuthenticationForm):
    """Password, staff flag and a TOTP code, throttled per login name and address.

    Every failure counts, including a right password with a missing or wrong code: otherwise
    the "code required" answer would tell a guesser the password was right.
    """

    error_messages = {
        **OTPAdminAuthenticationForm.error_messages,
        "locked": "Too many failed attempts: logging in to the staff console from here is paused for %(minutes)s minutes.",
    }

    def clean(self):
        from .audit import record
        from .models import StaffAction

        login_name = self.cleaned_data.get("username")
        ip = client_ip(self.request) if self.request else "unknown"
        if login_name and throttle.is_locked(login_name, ip):
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"minutes": settings.ACCOUNT_LOGIN_LOCKOUT_MINUTES}
            )
        try:
            if settings.STAFF_REQUIRE_OTP:
                cleaned = super().clean()
            else:
                cleaned = AdminAuthenticationForm.clean(self)
        except forms.ValidationError:
            if login_name:
                throttle.record_failure(login_name, ip)
                record(None, StaffAction.Kind.LOGIN_FAILED, name="admin login", object_repr=login_name[:150], request=self.request)
            raise
        throttle.clear(login_name, ip)
        return cleaned


class ComputeReportForm(forms.Form):
    period = forms.CharField(
        max_length=32, help_text="2024-07 (a month), 2024-Q3, 2024, or 2024-07-01..2024-07-15 (local dates, inclusive)."
    )
    gwp_set = forms.ChoiceField(label="GWP set", choices=[(g, g) for g in GWP_SETS], initial="AR6")
    samples = forms.IntegerField(
        label="Monte Carlo samples", min_value=0, max_value=100_000, required=False,
        help_text="Empty: the site default. 0 skips the uncertainty range.",
    )

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"]).key
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None


class ChangelogForm(forms.Form):
    changelog = forms.CharField(
        label="Changelog note",
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="Shown to the public with the new version: what changed since the last version, and why.",
    )

    def clean_changelog(self):
        text = self.cleaned_data["changelog"].strip()
        if len(text) < 10:
            raise forms.ValidationError("Say what changed and why, in a sentence or two.")
        return text


class AcknowledgementForm(forms.Form):
    """Publishing a run although more of its modelled demand went unserved than the threshold allows."""

    acknowledgement = forms.CharField(
        label="Acknowledgement",
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="Shown to the public with the report: why these figures may be published although the model could "
        "not serve part of its demand (for example, what is known about the supply the model lacks).",
    )
    changelog = forms.CharField(
        label="Changelog note", required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Needed when the report already has a published version: what changed and why.",
    )

    def clean_acknowledgement(self):
        text = self.cleaned_data["acknowledgement"].strip()
        if len(text) < 20:
            raise forms.ValidationError("Say why the figures may be published anyway, in a sentence or two.")
        return text


class ModerationForm(forms.Form):
    """The moderation queue's bulk decision."""

    DECISIONS = [
        ("approve", "Approve (publish)"),
        ("hide", "Hide"),
        ("reject", "Reject"),
        ("restore", "Restore (grants an appeal)"),
        ("deny_appeal", "Deny the appeal (keeps the post off the site)"),
        ("dismiss", "Dismiss flags"),
    ]

    decision = forms.ChoiceField(choices=DECISIONS)
    reason = forms.ChoiceField(choices=[("", "—")] + list(Reason.choices), required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), help_text="Shown to the author.")
    questions = forms.ModelMultipleChoiceField(queryset=None, required=False)
    replies = forms.ModelMultipleChoiceField(queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from portal.forums.models import Question, Reply

        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = Question.objects.all()
        self.fields["replies"].queryset = Reply.objects.all()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in ("hide", "reject") and not cleaned.get("reason"):
            self.add_error("reason", "Hiding or rejecting needs a reason; the author is told it.")
        if not cleaned.get("questions") and not cleaned.get("replies"):
            raise forms.ValidationError("Tick at least one post.")
        return cleaned
