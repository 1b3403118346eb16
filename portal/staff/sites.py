"""The staff console's admin site: two-factor login, audited admin classes, the dashboard."""

from django.conf import settings
from django.contrib import admin
from django_otp.admin import OTPAdminSite

from .audited import AuditedAdmin
from .forms import StaffLoginForm


class StaffAdminSite(OTPAdminSite):
    """OTPAdminSite that can be relaxed by STAFF_REQUIRE_OTP=false (development only)."""

    site_header = "Community Impact Portal — staff console"
    site_title = "Staff console"
    index_title = "Today"
    index_template = "admin/staff_index.html"
    login_form = StaffLoginForm

    def __init__(self, name="admin"):
        super().__init__(name)

    def has_permission(self, request):
        if settings.STAFF_REQUIRE_OTP:
            return super().has_permission(request)
        return admin.AdminSite.has_permission(self, request)

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every ModelAdmin, whichever app registers it, is audited: the mixin goes first in the MRO.
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(admin_class.__name__, (AuditedAdmin, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)

    def get_app_list(self, request, app_label=None):
        """The apps, and for moderators the forum's moderation queue first (the side menu and the
        index): the console has no queue of its own, so the menu links to the forum's."""
        from django.urls import reverse

        from portal.accounts import roles

        app_list = super().get_app_list(request, app_label)
        if app_label is None and roles.can_moderate(request.user):
            queue = reverse("forums:moderation-queue")
            app_list.insert(0, {
                "name": "Moderation", "app_label": "moderation", "app_url": queue, "has_module_perms": True,
                "models": [{"name": "Moderation queue", "object_name": "ModerationQueue", "admin_url": queue,
                            "add_url": None, "view_only": True, "perms": {"view": True}}],
            })
        return app_list

    def index(self, request, extra_context=None):
        from . import dashboard

        context = {"dashboard": dashboard.summary(request.user), **(extra_context or {})}
        return super().index(request, context)
