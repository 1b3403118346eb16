"""Staff console for the forum. Bulk actions call the same services as the moderation queue."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from . import meetings, notifications, services
from .models import Answer, DocketItem, Flag, Meeting, ModerationAction, Notification, Question, Reason, Reply
from .rendering import render_markdown


def _run(modeladmin, request, queryset, func, label):
    changed, failed = 0, 0
    for obj in queryset:
        try:
            changed += bool(func(obj))
        except (PermissionDenied, ValidationError) as exc:
            failed += 1
            modeladmin.message_user(request, f"{obj}: {exc}", level=messages.ERROR)
    modeladmin.message_user(request, f"{label}: {changed} changed, {queryset.count() - changed - failed} already so.")


def _approve_action():
    @admin.action(description="Approve (publish) selected")
    def approve(modeladmin, request, queryset):
        _run(modeladmin, request, queryset, lambda p: services.approve_post(p, request.user), "Approved")

    return approve


def _restore_action():
    @admin.action(description="Restore selected")
    def restore(modeladmin, request, queryset):
        _run(modeladmin, request, queryset, lambda p: services.restore_post(p, request.user), "Restored")

    return restore


def _reason_actions():
    """One hide and one reject action per reason, so the reason is always given (and told)."""
    actions = []
    for reason in Reason:
        for verb, func in (("hide", services.hide_post), ("reject", services.reject_post)):

            def action(modeladmin, request, queryset, _func=func, _reason=reason, _verb=verb):
                _run(modeladmin, request, queryset, lambda p: _func(p, request.user, _reason.value), f"{_verb.title()} ({_reason.label})")

            action.__name__ = f"{verb}_{reason.value}"
            action.short_description = f"{verb.title()} selected: {reason.label.lower()}"
            actions.append(action)
    return actions


MODERATION_ACTIONS = [_approve_action(), _restore_action(), *_reason_actions()]


class ModeratedAdmin(admin.ModelAdmin):
    actions = MODERATION_ACTIONS
    list_filter = ("status", "reason")
    readonly_fields = (
        "status", "status_before_hide", "reason", "reason_note", "open_flag_count", "published_at",
        "appeal_text", "appealed_at", "appeal_decided_at", "body_html",
    )
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        # Posts come from residents through the site; the admin moderates them.
        return False

    def save_model(self, request, obj, form, change):
        # A moderator correcting a typo or removing personal data: keep the shown HTML in step.
        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)


class AnswerInline(admin.StackedInline):
    model = Answer
    extra = 0
    readonly_fields = ("author", "body", "report_version", "created_at", "revised_at")
    can_delete = False


@admin.register(Question)
class QuestionAdmin(ModeratedAdmin):
    list_display = ("title", "author", "topic", "status", "vote_count", "reply_count", "open_flag_count", "created_at", "answered_at", "meeting")
    list_filter = ("status", "topic", "reason", "meeting")
    search_fields = ("title", "body", "author__display_name", "author__email")
    readonly_fields = ModeratedAdmin.readonly_fields + ("vote_count", "reply_count", "follower_count", "answered_at", "closed_at", "status_before_close")
    raw_id_fields = ("author", "report_version")
    inlines = [AnswerInline]


@admin.register(Reply)
class ReplyAdmin(ModeratedAdmin):
    list_display = ("__str__", "author", "status", "open_flag_count", "created_at")
    search_fields = ("body", "author__display_name")
    raw_id_fields = ("author", "question")


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("__str__", "question", "reply", "reason", "created_at", "resolved_at")
    list_filter = ("reason", "resolved_at")
    raw_id_fields = ("question", "reply", "user")


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit log is read-only: nobody edits history."""

    list_display = ("created_at", "actor", "kind", "question", "reply", "meeting", "from_status", "to_status", "reason")
    list_filter = ("kind", "reason")
    search_fields = ("note", "actor__display_name")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
    model = DocketItem
    extra = 0
    fields = ("position", "question", "votes_at_freeze", "outcome", "outcome_note", "written_answer_due")
    readonly_fields = ("position", "question", "votes_at_freeze", "outcome", "outcome_note", "written_answer_due")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "facility", "starts_at", "place", "is_cancelled", "docket_frozen_at", "minutes_recorded_at", "carried_over_at")
    list_filter = ("facility", "is_cancelled")
    readonly_fields = ("is_cancelled", "docket_frozen_at", "minutes_recorded_at", "carried_over_at")
    inlines = [DocketItemInline]
    actions = ["freeze_now", "carry_over_now", "cancel"]

    @admin.action(description="Cancel the selected meetings (their questions move to the next one)")
    def cancel(self, request, queryset):
        cancelled = sum(meetings.cancel_meeting(m, request.user) for m in queryset)
        self.message_user(request, f"{cancelled} meeting(s) cancelled.")

    @admin.action(description="Freeze the docket now")
    def freeze_now(self, request, queryset):
        frozen = sum(meetings.freeze_docket(m, actor=request.user) for m in queryset)
        self.message_user(request, f"{frozen} docket(s) frozen.")

    @admin.action(description="Carry unreached questions over to the next meeting")
    def carry_over_now(self, request, queryset):
        moved = sum(meetings.carry_over(m, actor=request.user) for m in queryset)
        self.message_user(request, f"{moved} question(s) carried over.")
