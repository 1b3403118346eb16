"""Staff console for the forum. Every staff verb here is a call to the forum's services, which
check the role's permission and write the audit row: the moderation actions, the official answer
on a question's page, a meeting's schedule, details, minutes and docket outcomes, and the meeting
actions. The moderation queue itself is the forum's (/forum/moderation/), linked from the index.
"""

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from portal.accounts import roles

from . import meetings, notifications, services
from .models import Answer, DocketItem, Flag, Meeting, Notification, Question, Reason, Reply, overdue_questions


def _why(exc):
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def _run(modeladmin, request, queryset, func, label):
    changed, failed = 0, 0
    for obj in queryset:
        try:
            changed += bool(func(obj))
        except (PermissionDenied, ValidationError) as exc:
            failed += 1
            modeladmin.message_user(request, f"{obj}: {_why(exc)}", level=messages.ERROR)
    modeladmin.message_user(request, f"{label}: {changed} changed, {queryset.count() - changed - failed} already so.")


def _moderation_action(func, name, description, label):
    def action(modeladmin, request, queryset):
        _run(modeladmin, request, queryset, lambda p: func(p, request.user), label)

    action.__name__ = name
    action.short_description = description
    action.allowed_permissions = ("moderate",)  # offered only to roles with forums.moderate_post
    return action


class OtherReasonForm(forms.Form):
    """The note an "Other (see note)" hide or rejection needs: it is all the author is told."""

    note = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}), label="Note to the author",
        help_text="Required for “Other”: say why. The author is told it.",
        error_messages={"required": "For “Other”, say why in the note: the author is told it."},
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(self.fields["note"].error_messages["required"])
        return note


def _other_reason_action(verb, func):
    """Hide or reject with reason "other": a page asks for the note (the selection stays in it)."""

    def action(modeladmin, request, queryset):
        form = OtherReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            note = form.cleaned_data["note"]
            _run(modeladmin, request, queryset, lambda p: func(p, request.user, Reason.OTHER.value, note), f"{verb.title()} ({Reason.OTHER.label})")
            return None
        return TemplateResponse(request, "admin/forums/other_reason.html", {
            **modeladmin.admin_site.each_context(request),
            "title": f"{verb.title()} {queryset.count()} {modeladmin.model._meta.verbose_name_plural}: other reason",
            "opts": modeladmin.model._meta,
            "form": form,
            "posts": list(queryset),
            "verb": verb,
            "action": action.__name__,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })

    action.__name__ = f"{verb}_{Reason.OTHER.value}"
    action.short_description = f"{verb.title()} selected: {Reason.OTHER.label.lower()}… (asks for the note)"
    action.allowed_permissions = ("moderate",)
    return action


def _reason_actions():
    """One hide and one reject action per reason, so the reason is always given (and told)."""
    actions = []
    for reason in Reason:
        for verb, func in (("hide", services.hide_post), ("reject", services.reject_post)):
            if reason == Reason.OTHER:
                actions.append(_other_reason_action(verb, func))
                continue
            actions.append(_moderation_action(
                lambda p, user, _func=func, _reason=reason: _func(p, user, _reason.value),
                f"{verb}_{reason.value}", f"{verb.title()} selected: {reason.label.lower()}", f"{verb.title()} ({reason.label})",
            ))
    return actions


MODERATION_ACTIONS = [
    _moderation_action(services.approve_post, "approve", "Approve (publish) selected", "Approved"),
    _moderation_action(services.restore_post, "restore", "Restore selected", "Restored"),
    _moderation_action(services.dismiss_flags, "dismiss_flags", "Dismiss the flags of selected", "Flags dismissed"),
    *_reason_actions(),
]


class ModeratedAdmin(admin.ModelAdmin):
    actions = MODERATION_ACTIONS
    list_filter = ("status", "reason")
    readonly_fields = (
        "author", "status", "status_before_hide", "reason", "reason_note", "open_flag_count", "flag_reasons", "published_at",
        "appeal_text", "appealed_at", "appeal_decided_at", "body_html", "created_at",
    )
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # The open flags once per page, for the "why flagged" column and the change page.
        open_flags = Flag.objects.filter(resolved_at__isnull=True).order_by("created_at")
        return super().get_queryset(request).prefetch_related(Prefetch("flags", queryset=open_flags, to_attr="open_flags"))

    @admin.display(description="Why flagged (open flags)")
    def flag_reasons(self, obj):
        """Each open flag's reason with how many chose it, then the flaggers' notes."""
        flags = getattr(obj, "open_flags", None)
        if flags is None:
            flags = list(obj.flags.filter(resolved_at__isnull=True).order_by("created_at"))
        if not flags:
            return "—"
        counts = {}
        for flag in flags:
            counts[flag.get_reason_display()] = counts.get(flag.get_reason_display(), 0) + 1
        reasons = format_html_join(", ", "{} × {}", sorted(counts.items(), key=lambda item: -item[1]))
        notes = format_html_join("", "<li>“{}”</li>", ((flag.note,) for flag in flags if flag.note))
        return format_html("{}<ul class=\"flag-notes\">{}</ul>", reasons, notes) if notes else reasons

    def has_add_permission(self, request):
        # Posts come from residents through the site; the admin moderates them.
        return False

    def has_moderate_permission(self, request):
        return roles.can_moderate(request.user)


class AnswerInline(admin.StackedInline):
    model = Answer
    extra = 0
    readonly_fields = ("author", "body", "report_version", "created_at", "revised_at")
    can_delete = False


class QuestionAnswerForm(forms.ModelForm):
    """The question's fields, plus its official answer (shown to roles with forums.answer_question)."""

    official_answer = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="Markdown. Saving publishes it as the official answer; followers are e-mailed once.",
    )
    answer_report_version = forms.ModelChoiceField(None, required=False, label="Answer relies on report version")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "answer_report_version" in self.fields:
            ReportVersion = apps.get_model("impact", "ReportVersion")
            self.fields["answer_report_version"].queryset = ReportVersion.objects.select_related("report__facility")


class AnswerTargetFilter(admin.SimpleListFilter):
    """Questions unanswered past the answer-time target: the staff dashboard's "Overdue" link."""

    title = "answer target"
    parameter_name = "answer_target"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue (unanswered past the target)")]

    def queryset(self, request, queryset):
        return overdue_questions(queryset) if self.value() == "overdue" else queryset


@admin.register(Question)
class QuestionAdmin(ModeratedAdmin):
    """Saving calls the services: an edit of the text is services.edit_question() (moderators),
    the answer box services.answer_question() (staff)."""

    form = QuestionAnswerForm
    list_display = ("title", "author", "topic", "status", "vote_count", "reply_count", "open_flag_count", "flag_reasons", "created_at", "answered_at", "meeting")
    list_filter = (AnswerTargetFilter, "status", "topic", "reason", "meeting")
    search_fields = ("title", "body", "author__display_name", "author__email")
    readonly_fields = ModeratedAdmin.readonly_fields + (
        "meeting", "vote_count", "reply_count", "follower_count", "answered_at", "closed_at", "status_before_close",
    )
    raw_id_fields = ("report_version",)
    inlines = [AnswerInline]

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
        edits = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.changed_data}
        try:
            if edits:
                services.edit_question(obj, request.user, **edits)
            if {"official_answer", "answer_report_version"} & set(form.changed_data):
                if services.answer_question(obj, request.user, form.cleaned_data["official_answer"], form.cleaned_data["answer_report_version"]):
                    self.message_user(request, "The official answer is published.")
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, f"Not saved: {_why(exc)}", messages.ERROR)


@admin.register(Reply)
class ReplyAdmin(ModeratedAdmin):
    list_display = ("__str__", "excerpt", "author", "status", "open_flag_count", "flag_reasons", "created_at")

    @admin.display(description="Text")
    def excerpt(self, obj):
        # The whole text is on the reply's change page.
        return Truncator(obj.body).chars(120)
    search_fields = ("body", "author__display_name")
    raw_id_fields = ("question",)

    def save_model(self, request, obj, form, change):
        # A moderator removing personal data: keep the shown HTML in step (the admin's own row).
        from .rendering import render_markdown

        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("__str__", "question", "reply", "reason", "created_at", "resolved_at")
    list_filter = ("reason", "resolved_at")
    raw_id_fields = ("question", "reply", "user")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The e-mail outbox: what was sent, what waits for a retry and why. Rows are never edited by hand."""

    list_display = ("created_at", "kind", "user", "question", "sent_at", "attempts", "next_attempt_at", "last_error")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "question__title", "last_error")
    raw_id_fields = ("user", "question")
    actions = ["try_again_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        # has_change_permission is False so nobody edits a row; retrying is what "change" allows.
        return request.user.has_perm("forums.change_notification")

    @admin.action(description="Try sending again now (unsent rows, attempts reset)", permissions=["retry"])
    def try_again_now(self, request, queryset):
        queryset.filter(sent_at__isnull=True).update(attempts=0, next_attempt_at=timezone.now(), last_error="")
        self.message_user(request, f"Sent {notifications.deliver(pk__in=list(queryset.values_list('pk', flat=True)))} e-mail(s).")


class DocketItemInline(admin.TabularInline):
    """The docket; outcomes are editable for roles with forums.record_meeting_outcomes and are
    saved by meetings.record_outcome() (MeetingAdmin.save_related)."""

    model = DocketItem
    extra = 0
    fields = ("position", "question", "votes_at_freeze", "outcome", "outcome_note", "written_answer_due")
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        if roles.can_record_meetings(request.user):
            return ("position", "question", "votes_at_freeze")
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Scheduling, changing, minutes, outcomes and the actions all go through portal.forums.meetings."""

    list_display = ("title", "facility", "starts_at", "place", "is_cancelled", "docket_frozen_at", "minutes_recorded_at", "carried_over_at")
    list_filter = ("facility", "is_cancelled")
    readonly_fields = ("is_cancelled", "docket_frozen_at", "minutes_recorded_at", "carried_over_at", "created_at")
    inlines = [DocketItemInline]
    actions = ["freeze_now", "carry_over_now", "cancel"]

    def has_record_permission(self, request):
        return roles.can_record_meetings(request.user)

    def has_cancel_permission(self, request):
        return roles.can_cancel_meetings(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Minutes are recorded after the meeting, by roles that may record them.
        if obj is None or not roles.can_record_meetings(request.user):
            fields.append("minutes")
        return fields

    def save_model(self, request, obj, form, change):
        details = {name: form.cleaned_data[name] for name in meetings.MEETING_FIELDS if name in form.cleaned_data}
        if not change:
            # The form has run the model's checks; a refusal here is a 403 like any other.
            saved = meetings.schedule_meeting(request.user, **details)
            obj.pk, obj._state.adding, obj._state.db = saved.pk, False, saved._state.db
            return
        try:
            meetings.update_meeting(obj, request.user, **{k: v for k, v in details.items() if k in form.changed_data})
            if "minutes" in form.changed_data:
                meetings.record_minutes(obj, request.user, form.cleaned_data["minutes"])
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, f"Not saved: {_why(exc)}", messages.ERROR)
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # The docket's outcomes are saved by record_outcome(), never by formset.save(); keeping the
        # formset away from save_formset() also keeps the audited admin from logging them twice.
        docket = [formset for formset in formsets if formset.model is DocketItem]
        super().save_related(request, form, [formset for formset in formsets if formset.model is not DocketItem], change)
        for formset in docket:
            self._record_outcomes(request, formset)

    def _record_outcomes(self, request, formset):
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
                self.message_user(request, f"{item_form.instance}: {_why(exc)}", messages.ERROR)

    @admin.action(description="Cancel the selected meetings (their questions move to the next one)", permissions=["cancel"])
    def cancel(self, request, queryset):
        _run(self, request, queryset, lambda m: meetings.cancel_meeting(m, request.user), "Cancelled")

    @admin.action(description="Freeze the docket now", permissions=["record"])
    def freeze_now(self, request, queryset):
        _run(self, request, queryset, lambda m: meetings.freeze_docket(m, actor=request.user), "Docket frozen")

    @admin.action(description="Carry unreached questions over to the next meeting", permissions=["record"])
    def carry_over_now(self, request, queryset):
        _run(self, request, queryset, lambda m: meetings.carry_over(m, actor=request.user), "Carried over")
