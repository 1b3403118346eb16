"""Admin for the audit log, and the staff console's addition to the accounts admin.

The accounts' admin class is extended here by subclassing and re-registering, so its author
keeps the file: superuser rights stay out of reach of administrators who are not superusers
themselves. The forum's admin (answers, meetings, minutes, outcomes) is the forum's own,
portal/forums/admin.py, calling the forum's services.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from portal.core.csvwriter import csv_lines
from portal.accounts.admin import UserAdmin
from portal.accounts.models import User
from portal.audit.log import record
from portal.audit.models import StaffAction

CSV_COLUMNS = ("at", "actor", "door", "kind", "name", "model", "object_id", "object", "before", "after", "reason", "ip")


def _csv_rows(queryset):
    for entry in queryset.select_related("content_type").iterator(chunk_size=500):
        model = f"{entry.content_type.app_label}.{entry.content_type.model}" if entry.content_type else ""
        yield (
            entry.at.isoformat(), entry.actor_name, entry.door, entry.kind, entry.name, model, entry.object_id,
            entry.object_repr, entry.before, entry.after, entry.reason, entry.ip,
        )


def csv_response(queryset, filename):
    """Stream the audit log as CSV; cells that a spreadsheet would run as formulas are escaped."""
    response = StreamingHttpResponse(csv_lines(CSV_COLUMNS, _csv_rows(queryset)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(StaffAction)
class StaffActionAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: nobody edits history."""

    list_display = ("at", "actor_name", "door", "kind", "name", "content_type", "object_repr", "changes", "ip")
    list_filter = ("door", "kind", "content_type", ("actor", admin.RelatedOnlyFieldListFilter), "at")
    search_fields = ("actor_name", "object_repr", "name", "reason", "object_id")
    date_hierarchy = "at"
    actions = ["export_csv"]
    list_select_related = ("content_type",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @staticmethod
    def _reads_all(user):
        return user.has_perm("audit.view_staffaction")

    def has_view_permission(self, request, obj=None):
        # Administrators read every row; moderators, staff and analysts the rows of their own actions.
        if self._reads_all(request.user):
            return True
        if not request.user.has_perm("audit.view_own_staffaction"):
            return False
        return obj is None or obj.actor_id == request.user.pk

    def get_queryset(self, request):
        entries = super().get_queryset(request)
        return entries if self._reads_all(request.user) else entries.filter(actor=request.user)

    def get_object(self, request, object_id, from_field=None):
        # Someone else's row is a 403 (has_view_permission), not "does not exist": the row is found
        # in the whole log, and the permission check decides.
        try:
            return super().get_queryset(request).get(**{(from_field or "pk"): object_id})
        except (StaffAction.DoesNotExist, ValueError, TypeError):
            return None

    @admin.display(description="before → after")
    def changes(self, entry):
        if not entry.before and not entry.after:
            return "—"
        keys = list(dict.fromkeys([*(entry.before or {}), *(entry.after or {})]))
        parts = [f"{k}: {(entry.before or {}).get(k, '∅')} → {(entry.after or {}).get(k, '∅')}" for k in keys[:6]]
        more = f" (+{len(keys) - 6} more)" if len(keys) > 6 else ""
        return "; ".join(parts)[:400] + more

    @admin.action(description="Export selected entries as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        record(request.user, StaffAction.Kind.EXPORT, name="audit log CSV", after={"rows": queryset.count()}, request=request)
        return csv_response(queryset, f"audit-log-{timezone.now():%Y%m%d-%H%M}.csv")

    def get_urls(self):
        return [
            path("export.csv", self.admin_site.admin_view(self.export_view), name="audit_staffaction_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The whole change list as filtered on screen (same query string), as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        queryset = self.get_changelist_instance(request).get_queryset(request)
        record(request.user, StaffAction.Kind.EXPORT, name="audit log CSV", after={"rows": queryset.count(), "filter": request.GET.urlencode()}, request=request)
        return csv_response(queryset, f"audit-log-{timezone.now():%Y%m%d-%H%M}.csv")


# --- Accounts: administrators manage users and roles, but cannot make superusers ---------------


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser may grant superuser status or permissions outside the role groups.
            fields += ["is_superuser", "user_permissions"]
        return fields
