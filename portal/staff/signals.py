"""Logins to and logouts from the staff console go into the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.urls import reverse


def _is_admin_request(request):
    return request is not None and request.path.startswith(reverse("admin:index"))


@receiver(user_logged_in, dispatch_uid="staff-audit-login")
def audit_login(sender, request, user, **kwargs):
    if _is_admin_request(request):
        from portal.audit.log import record
        from portal.audit.models import StaffAction

        device = getattr(user, "otp_device", None)
        record(user, StaffAction.Kind.LOGIN, name="admin login", reason=f"verified with {device}" if device else "", request=request)


@receiver(user_logged_out, dispatch_uid="staff-audit-logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None and _is_admin_request(request):
        from portal.audit.log import record
        from portal.audit.models import StaffAction

        record(user, StaffAction.Kind.LOGOUT, name="admin logout", request=request)
