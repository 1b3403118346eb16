from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffConfig(AppConfig):
    """The staff console: audit log, dashboard, two-factor login, role permissions."""

    default = True  # this module also holds StaffAdminConfig, named in full in INSTALLED_APPS
    name = "portal.staff"
    label = "staff"
    verbose_name = "Staff console"

    def ready(self):
        from . import signals  # noqa: F401 - connects the login audit receivers


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the staff console's site as the default ``admin.site``.

    Swapping the default site (rather than building a second one) means every app's
    ``@admin.register`` lands on the two-factor, audited site without touching their files.
    """

    default = False
    default_site = "portal.staff.sites.StaffAdminSite"
