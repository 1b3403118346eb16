"""Forms of the staff console: the two-factor login. (The moderation queue and its bulk form are
the forum's: portal/forums/views/moderation.py, BulkModerationForm.)

The forms the report admin asks (period, changelog, acknowledgement) are impact's: impact/forms.py.
"""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django_otp.admin import OTPAdminAuthenticationForm

from portal.accounts import throttle
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
