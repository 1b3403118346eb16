"""Forms of the staff console: the two-factor login and the moderation queue's bulk decision.

The forms the report admin asks (period, changelog, acknowledgement) are impact's: impact/forms.py.
"""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django_otp.admin import OTPAdminAuthenticationForm

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
        from portal.audit.log import record
        from portal.audit.models import StaffAction

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
