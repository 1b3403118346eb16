"""The staff audit log: one row per thing a person on the staff did, and through which door."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StaffAction(models.Model):
    """Who did what to which row, when, from where, and the fields before → after.

    Rows are written by portal.audit.log.record() and never changed: the admin shows them
    read-only, and the actor's name is copied so the history survives a deleted account.
    The table is still called staff_staffaction: the model moved here from portal.staff
    (migration audit.0001) so that every app can write the log without importing the console.
    """

    class Door(models.TextChoices):
        ADMIN = "admin", _("Staff console")
        API = "api", _("REST API")
        CLI = "cli", _("Command line")
        PAGE = "page", _("Site page")
        SYSTEM = "system", _("Scheduled task or worker")

    class Kind(models.TextChoices):
        ADD = "add", _("Added")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")
        ACTION = "action", _("Admin action")
        EXPORT = "export", _("Exported")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOGOUT = "logout", _("Logged out")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff_actions"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="Username at the time, kept if the account goes.")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(max_length=100, blank=True, help_text="The admin action or operation, e.g. publish.")
    door = models.CharField(max_length=10, choices=Door.choices, db_index=True, help_text="Where the action came in.")
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True, help_text="Changed fields as they were.")
    after = models.JSONField(null=True, blank=True, help_text="Changed fields as they became.")
    reason = models.TextField(blank=True, help_text="The note or reason the person gave, if any.")
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "staff_staffaction"
        ordering = ["-at", "-id"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        # Staff who act read their own trail; view_staffaction (administrators) reads everyone's.
        permissions = [("view_own_staffaction", "Can view the audit log entries of one's own actions")]

    def __str__(self):
        what = self.name or self.get_kind_display()
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'portal'}: {what} {self.object_repr}".strip()
