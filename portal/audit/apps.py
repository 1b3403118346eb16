from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The staff audit log. Every app's service functions write to it; the staff console reads it."""

    name = "portal.audit"
    label = "audit"
    verbose_name = "Audit log"
