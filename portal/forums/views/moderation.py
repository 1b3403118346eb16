"""Moderation: one decision on a post, the queue with bulk decisions (the portal's one moderation
queue; the staff console links here), the forum's part of the audit log, and the public monthly
moderation report."""

from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from portal.accounts import roles
from portal.audit.models import StaffAction
from portal.core.pagecache import cached_page

from .. import services
from ..forms import BulkModerationForm, ModerationForm
from ..models import Flag, ModerationAction, PostStatus, Question, Reason, Reply
from .common import error_text, refused


def _require_moderator(request):
    if not roles.can_moderate(request.user):
        raise PermissionDenied("Only moderators may see this page.")


def apply_decision(post, actor, action, reason="", note=""):
    """Run one moderation decision through the services; returns whether it changed anything."""
    if action == "approve":
        return services.approve_post(post, actor, note)
    if action == "hide":
        return services.hide_post(post, actor, reason, note)
    if action == "reject":
        return services.reject_post(post, actor, reason, note)
    if action == "restore":
        return services.restore_post(post, actor, note)
    if action == "dismiss":
        return services.dismiss_flags(post, actor, note)
    if action == "deny_appeal":
        return services.deny_appeal(post, actor, note)
    if action == "close" and isinstance(post, Question):
        return services.close_question(post, actor, note)
    if action == "reopen" and isinstance(post, Question):
        return services.reopen_question(post, actor, note)
    raise ValidationError(_("That action does not apply here."))


@login_required
@require_POST
def moderate(request, kind, pk):
    """One decision from the question page (moderators; staff may close and reopen)."""
    post = get_object_or_404(Question if kind == "question" else Reply, pk=pk)
    question = post if kind == "question" else post.question
    form = ModerationForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, _("Nothing changed: %(errors)s") % {"errors": errors})
        return redirect(question.get_absolute_url())
    data = form.cleaned_data
    try:
        changed = apply_decision(post, request.user, data["action"], data["reason"], data["note"])
    except (PermissionDenied, ValidationError) as exc:
        return refused(request, exc, question.get_absolute_url())
    if changed:
        messages.success(request, _("Done: %(decision)s.") % {"decision": str(dict(ModerationForm.ACTIONS)[data["action"]]).lower()})
    else:
        messages.info(request, _("Nothing changed: the post is already in that state."))
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/forum/") else question.get_absolute_url())


# The queue shows at most this many questions and as many replies, oldest first, so the page stays
# quick on a bad day; what is decided leaves it and the next ones come up.
QUEUE_LIMIT = 200
AWAITING = Q(status=PostStatus.PENDING) | Q(open_flag_count__gt=0) | Q(appealed_at__isnull=False, appeal_decided_at__isnull=True)


def _with_open_flags(posts, field):
    """Give each post ``flag_reasons`` [(label, count)], most common first, and ``flag_notes``,
    the flaggers' notes, from its open flags: why it is in the queue."""
    posts = list(posts)
    flags = defaultdict(list)
    for flag in Flag.objects.filter(**{f"{field}__in": posts, "resolved_at__isnull": True}).order_by("created_at"):
        flags[getattr(flag, f"{field}_id")].append(flag)
    for post in posts:
        open_flags = flags.get(post.pk, [])
        counts = Counter(flag.get_reason_display() for flag in open_flags)
        post.flag_reasons = counts.most_common()
        post.flag_notes = [flag.note for flag in open_flags if flag.note]
    return posts


def _queue_context():
    """Pending posts, posts with open flags (hidden ones were hidden by the flags) and open appeals."""
    questions = Question.objects.filter(AWAITING).select_related("author").order_by("created_at", "pk")
    replies = Reply.objects.filter(AWAITING).select_related("author", "question").order_by("created_at", "pk")
    return {
        "questions": _with_open_flags(questions[:QUEUE_LIMIT], "question"),
        "replies": _with_open_flags(replies[:QUEUE_LIMIT], "reply"),
        "question_count": questions.count(),
        "reply_count": replies.count(),
        "limit": QUEUE_LIMIT,
    }


@login_required
@require_http_methods(["GET", "POST"])
def queue(request):
    _require_moderator(request)
    form = BulkModerationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            changed, failed = 0, []
            posts = list(data["questions"]) + list(data["replies"])
            for post in posts:
                try:
                    changed += apply_decision(post, request.user, data["action"], data["reason"], data["note"])
                except (PermissionDenied, ValidationError) as exc:
                    failed.append(f"{post}: {error_text(exc)}")
            label = dict(BulkModerationForm.ACTIONS)[data["action"]]
            messages.success(request, _("%(decision)s: %(changed)d of %(total)d post(s) changed.") % {"decision": label, "changed": changed, "total": len(posts)})
            for line in failed:
                messages.error(request, line)
            return redirect("forums:moderation-queue")
        context = _queue_context()
        # Keep what was ticked, so a missing reason or note costs one field, not the selection.
        context.update(form=form, ticked_questions=request.POST.getlist("questions"), ticked_replies=request.POST.getlist("replies"))
        return render(request, "forums/moderation_queue.html", context, status=400)
    context = _queue_context()
    context["form"] = form
    return render(request, "forums/moderation_queue.html", context)


# Links from a log row to the forum page of its object, by model.
OBJECT_PAGES = {"question": "forums:question-bare", "meeting": "forums:meeting"}


@login_required
@require_GET
def audit_log(request):
    """The forum's part of the staff audit log (portal.audit), for moderators: every staff verb on
    questions, replies, answers, flags, meetings and dockets, whichever door it came through.
    The whole log, with addresses, is the administrators' (admin › Audit log)."""
    _require_moderator(request)
    entries = StaffAction.objects.filter(content_type__app_label="forums").select_related("content_type")
    names = sorted(entries.exclude(name="").order_by().values_list("name", flat=True).distinct())
    name, door = request.GET.get("name", ""), request.GET.get("door", "")
    if name in names:
        entries = entries.filter(name=name)
    if door in StaffAction.Door.values:
        entries = entries.filter(door=door)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page.object_list:
        keys = list(dict.fromkeys([*(entry.before or {}), *(entry.after or {})]))
        entry.changes = [(k, (entry.before or {}).get(k), (entry.after or {}).get(k)) for k in keys[:6]]
        view = OBJECT_PAGES.get(entry.content_type.model if entry.content_type else "")
        entry.link = reverse(view, args=[entry.object_id]) if view and entry.object_id.isdigit() else ""
    context = {"page": page, "names": names, "name": name, "doors": StaffAction.Door.choices, "door": door}
    return render(request, "forums/moderation_log.html", context)


REPORT_KINDS = {
    ModerationAction.Kind.HIDE: "hidden",
    ModerationAction.Kind.AUTO_HIDE: "hidden",
    ModerationAction.Kind.REJECT: "rejected",
    ModerationAction.Kind.RESTORE: "restored",
}


@require_safe
@cached_page("forum")
def moderation_report(request):
    """Public: how many posts were hidden, rejected and restored, by reason, per month."""
    rows = (
        ModerationAction.objects.filter(kind__in=list(REPORT_KINDS))
        .annotate(month=TruncMonth("created_at"))
        .values_list("month", "kind", "reason", "from_status")
    )
    table = defaultdict(lambda: defaultdict(int))
    for month, kind, reason, from_status in rows:
        # A moderator confirming an automatic hide is not a second hidden item.
        if kind == ModerationAction.Kind.HIDE and from_status == PostStatus.HIDDEN:
            continue
        label = Reason(reason).label if reason in Reason.values else "No reason given"
        table[month.date().replace(day=1) if hasattr(month, "date") else month][(REPORT_KINDS[kind], label)] += 1
    months = []
    for month in sorted(table, reverse=True):
        counts = table[month]
        months.append(
            {
                "month": month,
                "rows": sorted(((outcome, reason, n) for (outcome, reason), n in counts.items())),
                "totals": {o: sum(n for (oo, _), n in counts.items() if oo == o) for o in ("hidden", "rejected", "restored")},
            }
        )
    return render(request, "forums/moderation_report.html", {"months": months})
