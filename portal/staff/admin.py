"""Admin for the audit log, and the staff console's additions to the forum and account admins.

The forum's and accounts' admin classes are extended here by subclassing and re-registering, so
their authors keep their files: answering a question inline, recording meeting minutes and
docket outcomes through the forum's services, and keeping superuser rights out of reach of
administrators who are not superusers themselves.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from impact.api.renderers import csv_lines
from impact.models import ReportVersion
from portal.accounts import roles
from portal.accounts.admin import UserAdmin
from portal.accounts.models import User
from portal.forums import admin as forums_admin
from portal.forums import meetings, services as forum_services
from portal.forums.models import DocketItem, Meeting, Question

from portal.audit.log import record, snapshot
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


# --- Forum: answer inline, minutes and outcomes through the services --------------------------


class QuestionAnswerForm(forms.ModelForm):
    official_answer = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="Markdown. Saving publishes it as the official answer; followers are e-mailed once.",
    )
    answer_report_version = forms.ModelChoiceField(
        ReportVersion.objects.select_related("report__facility"), required=False,
        label="Answer relies on report version",
    )


admin.site.unregister(Question)


@admin.register(Question)
class StaffQuestionAdmin(forums_admin.QuestionAdmin):
    """The forum's question admin, plus the official answer field for forum staff."""

    form = QuestionAnswerForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None or not roles.can_answer(request.user):
            form.base_fields.pop("official_answer", None)
            form.base_fields.pop("answer_report_version", None)
        else:
            answer = getattr(obj, "answer", None)
            form.base_fields["official_answer"].initial = answer.body if answer else ""
            form.base_fields["answer_report_version"].initial = answer.report_version_id if answer else None
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not {"official_answer", "answer_report_version"} & set(form.changed_data):
            return
        body = form.cleaned_data.get("official_answer", "")
        answer = getattr(obj, "answer", None)
        before = snapshot(answer)
        try:
            changed = forum_services.answer_question(obj, request.user, body, form.cleaned_data.get("answer_report_version"))
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, f"The answer was not saved: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR)
            return
        if changed:
            obj.refresh_from_db()
            record(request.user, StaffAction.Kind.ACTION, obj.answer, before, snapshot(obj.answer), name="answer question", request=request)
            self.message_user(request, "The official answer is published.")


class EditableDocketInline(admin.TabularInline):
    model = DocketItem
    extra = 0
    fields = ("position", "question", "votes_at_freeze", "outcome", "outcome_note", "written_answer_due")
    readonly_fields = ("position", "question", "votes_at_freeze")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


admin.site.unregister(Meeting)


@admin.register(Meeting)
class StaffMeetingAdmin(forums_admin.MeetingAdmin):
    """Minutes and docket outcomes are editable; they are saved by the forum's meeting services."""

    inlines = [EditableDocketInline]

    def save_model(self, request, obj, form, change):
        new_minutes = obj.minutes
        if change and "minutes" in form.changed_data:
            obj.minutes = form.initial.get("minutes", "")  # record_minutes() saves it, with its side effects
        super().save_model(request, obj, form, change)
        if change and "minutes" in form.changed_data:
            try:
                meetings.record_minutes(obj, request.user, new_minutes)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"Minutes not recorded: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR)

    def save_formset(self, request, form, formset, change):
        if formset.model is not DocketItem:
            return super().save_formset(request, form, formset, change)
        # What formset.save() would have set; the admin's change message reads them.
        formset.new_objects, formset.deleted_objects, formset.changed_objects = [], [], []
        for item_form in formset.forms:
            if not item_form.has_changed():
                continue
            formset.changed_objects.append((item_form.instance, item_form.changed_data))
            data = item_form.cleaned_data
            try:
                meetings.record_outcome(
                    item_form.instance, request.user, data["outcome"], data.get("outcome_note", ""), data.get("written_answer_due")
                )
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(
                    request, f"{item_form.instance}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR
                )


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
