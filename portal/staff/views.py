"""Staff console pages that are not a model's change list: the moderation queue."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from portal.forums import services as forum_services
from portal.forums.models import PostStatus, Question, Reply

from .forms import ModerationForm

QUEUE_LIMIT = 200


def _queue(model):
    """Pending posts, posts with open flags, and posts whose author appealed, oldest first."""
    waiting = Q(status=PostStatus.PENDING) | Q(open_flag_count__gt=0) | Q(appealed_at__isnull=False, appeal_decided_at__isnull=True)
    related = ["author"] if model is Question else ["author", "question"]
    return model.objects.filter(waiting).select_related(*related).order_by("created_at")[:QUEUE_LIMIT]


def _decide(decision, post, user, reason, note):
    if decision == "approve":
        return forum_services.approve_post(post, user, note=note)
    if decision == "hide":
        return forum_services.hide_post(post, user, reason, note=note)
    if decision == "reject":
        return forum_services.reject_post(post, user, reason, note=note)
    if decision == "restore":
        return forum_services.restore_post(post, user, note=note)
    if decision == "deny_appeal":
        return forum_services.deny_appeal(post, user, note=note)
    return forum_services.dismiss_flags(post, user, note=note)


def moderation_queue(request):
    """Pending and flagged posts with one bulk decision: approve, hide, reject (with a reason), restore."""
    if not (request.user.has_perm("forums.change_question") and request.user.has_perm("forums.change_reply")):
        raise PermissionDenied
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = 0
        for post in [*data["questions"], *data["replies"]]:
            try:
                did = _decide(data["decision"], post, request.user, data["reason"], data["note"])
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, f"{post}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
                continue
            changed += bool(did)  # the forum's service wrote the audit row
        total = len(data["questions"]) + len(data["replies"])
        messages.success(request, f"{dict(ModerationForm.DECISIONS)[data['decision']]}: {changed} of {total} post(s) changed.")
        return redirect("admin:moderation-queue")
    context = {
        **admin.site.each_context(request),
        "title": "Moderation queue",
        "form": form,
        "questions": _queue(Question),
        "replies": _queue(Reply),
    }
    return TemplateResponse(request, "admin/staff/moderation_queue.html", context)
