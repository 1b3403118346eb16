"""The forum's verbs: every state change of a question, reply, vote, flag or answer is here.

Views, admin actions, management commands and tasks call these functions; none of them saves a
status by itself. Each function checks who may act (raising PermissionDenied with a message a
person can read), returns whether it changed anything (so a double click or a rerun is harmless).

A staff verb (approve, hide, reject, restore, dismiss flags, deny an appeal, edit someone else's
question, close, reopen, answer) checks its role's permission (portal.accounts.roles) and writes
one row of the staff audit log (portal.audit.log.record) in the change's transaction; which door
it came through is the audit log's to know. A call that changes nothing writes no row. Decisions
on posts are also kept as ModerationAction rows: the forum's public moderation record (see the
model).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts import roles
from portal.audit.log import record, snapshot
from portal.audit.models import StaffAction
from portal.core import pagecache

from . import notifications
from .models import (
    PUBLIC_STATUSES,
    Answer,
    Flag,
    Follow,
    ModerationAction,
    PostStatus,
    Question,
    Reason,
    Reply,
    Vote,
)
from .rendering import count_links, render_markdown

S = PostStatus
Kind = ModerationAction.Kind
ACTION = StaffAction.Kind.ACTION


# --- Helpers ------------------------------------------------------------------------------------


def log_action(actor, kind, *, question=None, reply=None, meeting=None, from_status="", to_status="", reason="", note=""):
    """Add to the forum's moderation record (ModerationAction); the staff audit row is audit()'s."""
    return ModerationAction.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        question=question,
        reply=reply,
        meeting=meeting,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        note=note,
    )


def audit(actor, name, obj, before, *, reason="", note="", kind=ACTION):
    """The staff verb's one row in the audit log: ``before`` is snapshot(obj) from before the
    change, the row as it is now is the after; the reason code and the note go in ``reason``."""
    return record(actor, kind, obj, before, snapshot(obj), name=name, reason="; ".join(filter(None, [reason, note])))


def _target(post):
    return {"question": post} if isinstance(post, Question) else {"reply": post}


def _locked(post):
    """Re-read the post under a row lock so two moderators cannot both act on a stale status."""
    return type(post).objects.select_for_update().get(pk=post.pk)


def _require_moderator(actor):
    roles.require(actor, roles.MODERATE_POSTS, "Only moderators may do this")


def _require_poster(user):
    if not roles.can_post(user):
        raise PermissionDenied(_("Log in with a confirmed account to take part."))


def reviewed_post_count(user):
    """Posts of ``user`` a moderator has let through (or that were published directly)."""
    return (
        Question.objects.filter(author=user, published_at__isnull=False).count()
        + Reply.objects.filter(author=user, published_at__isnull=False).count()
    )


def needs_review(user):
    """A new account's first FORUM_REVIEW_FIRST_POSTS posts wait for a moderator."""
    if user.is_trusted or roles.acts_for_the_portal(user):
        return False
    return reviewed_post_count(user) < settings.FORUM_REVIEW_FIRST_POSTS


def max_links(user):
    from .limits import is_new_account

    if is_new_account(user) or needs_review(user):
        return settings.FORUM_MAX_LINKS_NEW
    return settings.FORUM_MAX_LINKS


def check_links(user, *texts):
    """Refuse a post with more links than the account may include (fewer for new accounts)."""
    allowed = max_links(user)
    found = sum(count_links(t) for t in texts)
    if found > allowed:
        if allowed < settings.FORUM_MAX_LINKS:
            message = _("Your post has %(found)d links; new accounts may include at most %(allowed)d. Remove some and post again.")
        else:
            message = _("Your post has %(found)d links; posts may include at most %(allowed)d. Remove some and post again.")
        raise ValidationError(message % {"found": found, "allowed": allowed})


def sync_question(question):
    """Recompute a question's counters from the rows (never += 1), so a rerun repairs them."""
    Question.objects.filter(pk=question.pk).update(
        vote_count=Vote.objects.filter(question=question).count(),
        reply_count=Reply.objects.filter(question=question, status=S.PUBLISHED).count(),
        follower_count=Follow.objects.filter(question=question).count(),
        open_flag_count=Flag.objects.filter(question=question, resolved_at__isnull=True).count(),
    )
    question.refresh_from_db(fields=["vote_count", "reply_count", "follower_count", "open_flag_count"])
    pagecache.bump("forum")  # .update() sends no signal, and the counts are on the cached pages


def sync_reply(reply):
    Reply.objects.filter(pk=reply.pk).update(
        open_flag_count=Flag.objects.filter(reply=reply, resolved_at__isnull=True).count()
    )
    reply.refresh_from_db(fields=["open_flag_count"])


def _sync(post):
    if isinstance(post, Question):
        sync_question(post)
    else:
        sync_reply(post)
        sync_question(post.question)


# --- Asking and replying ------------------------------------------------------------------------


@transaction.atomic
def ask_question(author, *, title, body, topic, report_version=None, chart_key="", window_start=None, window_end=None, meeting=None):
    """Create a question: published at once for trusted accounts, else pending review."""
    _require_poster(author)
    check_links(author, title, body)
    if meeting is not None and not meeting.accepts_questions:
        raise ValidationError(_("This meeting no longer takes questions; its docket is frozen. Pick a later meeting."))
    question = Question(
        author=author,
        title=title.strip(),
        body=body,
        body_html=render_markdown(body),
        topic=topic,
        report_version=report_version,
        chart_key=chart_key if report_version else "",
        window_start=window_start,
        window_end=window_end,
        meeting=meeting,
    )
    question.full_clean(exclude=["author", "body_html"])
    if not needs_review(author):
        question.status = S.PUBLISHED
        question.published_at = timezone.now()
    question.save()
    # Askers follow their own question; they are told of the answer either way.
    Follow.objects.get_or_create(question=question, user=author)
    sync_question(question)
    return question


@transaction.atomic
def reply_to_question(question, author, body):
    """Add a reply under a visible, open question; pending review for new accounts."""
    _require_poster(author)
    if question.status not in (S.PUBLISHED, S.ANSWERED):
        raise PermissionDenied(_("This question takes no replies (it is closed or not public)."))
    check_links(author, body)
    reply = Reply(question=question, author=author, body=body, body_html=render_markdown(body))
    if not needs_review(author):
        reply.status = S.PUBLISHED
        reply.published_at = timezone.now()
    reply.save()
    sync_question(question)
    return reply


EDITABLE_FIELDS = ("title", "body", "topic", "report_version", "chart_key", "window_start", "window_end")


@transaction.atomic
def edit_question(question, user, **changes):
    """The author fixes a question still waiting for review; moderators may edit any question
    (to remove personal data, say), which is logged. Returns whether anything changed."""
    row = _locked(question)
    is_author = row.author_id == getattr(user, "pk", None)
    if roles.can_moderate(user):
        logged = not is_author
    elif is_author and row.status == S.PENDING and roles.can_post(user):
        logged = False
    else:
        raise PermissionDenied(
            _("A question can be edited by its author only while it waits for review, and by moderators (the %(permission)s permission).")
            % {"permission": roles.MODERATE_POSTS}
        )
    changes = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
    if "title" in changes:
        changes["title"] = changes["title"].strip()
    if "report_version" in changes and changes["report_version"] is None:
        changes["chart_key"] = ""
    before = {name: getattr(row, name) for name in changes}
    if all(before[name] == value for name, value in changes.items()):
        return False
    if is_author and not roles.can_moderate(user):
        check_links(user, changes.get("title", row.title), changes.get("body", row.body))
    was = snapshot(row)
    for name, value in changes.items():
        setattr(row, name, value)
    row.body_html = render_markdown(row.body)
    row.full_clean(exclude=["author", "body_html", "meeting"])
    row.save()
    if logged:
        edited = ", ".join(sorted(name for name in changes if before[name] != changes[name]))
        log_action(user, Kind.EDIT, question=row, from_status=row.status, to_status=row.status, note=f"Edited: {edited}")
        audit(user, "moderate: edit", row, was, note=f"Edited: {edited}")
    question.refresh_from_db()
    return True


# --- Votes and follows --------------------------------------------------------------------------


def _require_open_for_residents(question, user):
    _require_poster(user)
    if question.status not in (S.PUBLISHED, S.ANSWERED):
        raise PermissionDenied(_("This question is not open for that."))


def vote(question, user):
    """'I have this question too'. One per account; the asker's own question needs no vote."""
    _require_open_for_residents(question, user)
    if question.author_id == user.pk:
        raise PermissionDenied(_("You asked this question; your interest is counted already."))
    if question.status == S.ANSWERED:
        raise PermissionDenied(_("This question is answered already."))
    try:
        with transaction.atomic():
            _vote, created = Vote.objects.get_or_create(question=question, user=user)
    except IntegrityError:
        # Two clicks racing: the unique constraint kept one vote.
        created = False
    if created:
        Follow.objects.get_or_create(question=question, user=user)
    sync_question(question)
    return created


def unvote(question, user):
    deleted, _kinds = Vote.objects.filter(question=question, user=user).delete()
    sync_question(question)
    return bool(deleted)


def follow(question, user):
    _require_open_for_residents(question, user)
    try:
        with transaction.atomic():
            _follow, created = Follow.objects.get_or_create(question=question, user=user)
    except IntegrityError:
        created = False
    sync_question(question)
    return created


def unfollow(question, user):
    deleted, _kinds = Follow.objects.filter(question=question, user=user).delete()
    sync_question(question)
    return bool(deleted)


# --- Moderation ---------------------------------------------------------------------------------


def _tell_author(post, action):
    """E-mail the author about a decision on their post: queued with the decision, sent after commit."""
    if notifications.queue_moderation_notice(action):
        _send_after_commit("send_moderation_notice", action.pk)


def _send_after_commit(name, event_id):
    """Send an event's queued e-mails once the transaction commits: in this request, or in a Celery
    worker when FORUM_NOTIFY_IN_WORKER (``name`` is both a function in notifications and a task in
    tasks). Neither can fail the request; what is not sent stays in the outbox for the periodic
    task forums.deliver_notifications."""
    from . import tasks  # tasks imports meetings, which imports this module

    if settings.FORUM_NOTIFY_IN_WORKER:
        tasks.enqueue_on_commit(getattr(tasks, name), event_id)
    else:
        transaction.on_commit(lambda: getattr(notifications, name)(event_id), robust=True)


@transaction.atomic
def approve_post(post, actor, note=""):
    """Pending → published. The author's reviewed-post count grows with it."""
    _require_moderator(actor)
    row = _locked(post)
    if row.status != S.PENDING:
        return False
    was = snapshot(row)
    row.status, row.published_at = S.PUBLISHED, timezone.now()
    row.reason, row.reason_note = "", ""
    row.save(update_fields=["status", "published_at", "reason", "reason_note"])
    action = log_action(actor, Kind.APPROVE, **_target(row), from_status=S.PENDING, to_status=S.PUBLISHED, note=note)
    _tell_author(row, action)
    _sync(row)
    audit(actor, "moderate: approve", row, was, note=note)
    post.refresh_from_db()
    return True


def _require_reason(reason, note):
    """A hide or rejection names a reason; "Other (see note)" tells the author nothing without the note."""
    if reason not in Reason.values:
        raise ValidationError(_("Pick a reason."))
    if reason == Reason.OTHER and not (note or "").strip():
        raise ValidationError(_("For “Other”, say why in the note: the author is told it."))


@transaction.atomic
def hide_post(post, actor, reason, note=""):
    """Take a public post off the site with a reason the author is told; it can be restored."""
    _require_moderator(actor)
    _require_reason(reason, note)
    row = _locked(post)
    was = snapshot(row)
    if row.status == S.HIDDEN:
        # Hidden by flags and now confirmed by a moderator: record the decision, keep the state.
        if row.open_flag_count or Flag.objects.filter(**_target(row), resolved_at__isnull=True).exists():
            _resolve_flags(row)
            row.reason, row.reason_note = reason, note
            row.save(update_fields=["reason", "reason_note"])
            action = log_action(actor, Kind.HIDE, **_target(row), from_status=S.HIDDEN, to_status=S.HIDDEN, reason=reason, note=note)
            _tell_author(row, action)
            _sync(row)
            audit(actor, "moderate: hide", row, was, reason=reason, note=note)
            post.refresh_from_db()
            return True
        return False
    if row.status not in PUBLIC_STATUSES:
        return False
    before = row.status
    row.status_before_hide, row.status = before, S.HIDDEN
    row.reason, row.reason_note = reason, note
    row.save(update_fields=["status", "status_before_hide", "reason", "reason_note"])
    _resolve_flags(row)
    action = log_action(actor, Kind.HIDE, **_target(row), from_status=before, to_status=S.HIDDEN, reason=reason, note=note)
    _tell_author(row, action)
    _sync(row)
    audit(actor, "moderate: hide", row, was, reason=reason, note=note)
    post.refresh_from_db()
    return True


@transaction.atomic
def reject_post(post, actor, reason, note=""):
    """Pending or hidden → rejected: the post stays off the site; the author may appeal once."""
    _require_moderator(actor)
    _require_reason(reason, note)
    row = _locked(post)
    if row.status not in (S.PENDING, S.HIDDEN):
        return False
    was, before = snapshot(row), row.status
    row.status, row.reason, row.reason_note = S.REJECTED, reason, note
    if row.appeal_pending:
        row.appeal_decided_at = timezone.now()
    row.save(update_fields=["status", "reason", "reason_note", "appeal_decided_at"])
    _resolve_flags(row)
    action = log_action(actor, Kind.REJECT, **_target(row), from_status=before, to_status=S.REJECTED, reason=reason, note=note)
    _tell_author(row, action)
    _sync(row)
    audit(actor, "moderate: reject", row, was, reason=reason, note=note)
    post.refresh_from_db()
    return True


@transaction.atomic
def restore_post(post, actor, note=""):
    """Hidden or rejected → back where it was (published, answered or closed); flags are dismissed."""
    _require_moderator(actor)
    row = _locked(post)
    if row.status not in (S.HIDDEN, S.REJECTED):
        return False
    was, before = snapshot(row), row.status
    target = row.status_before_hide or S.PUBLISHED
    if isinstance(row, Question) and target == S.PUBLISHED and hasattr(row, "answer"):
        target = S.ANSWERED
    row.status = target
    row.published_at = row.published_at or timezone.now()
    row.status_before_hide, row.reason, row.reason_note = "", "", note
    if row.appeal_pending:
        row.appeal_decided_at = timezone.now()
    row.save(update_fields=["status", "published_at", "status_before_hide", "reason", "reason_note", "appeal_decided_at"])
    _resolve_flags(row)
    action = log_action(actor, Kind.RESTORE, **_target(row), from_status=before, to_status=target, note=note)
    _tell_author(row, action)
    _sync(row)
    audit(actor, "moderate: restore", row, was, note=note)
    post.refresh_from_db()
    return True


@transaction.atomic
def dismiss_flags(post, actor, note=""):
    """A moderator looked at the flags of a still-visible post and found nothing wrong."""
    _require_moderator(actor)
    row = _locked(post)
    was = snapshot(row)
    if not _resolve_flags(row):
        return False
    log_action(actor, Kind.DISMISS_FLAGS, **_target(row), from_status=row.status, to_status=row.status, note=note)
    _sync(row)
    audit(actor, "moderate: dismiss flags", row, was, note=note)
    post.refresh_from_db()
    return True


def _resolve_flags(post):
    return Flag.objects.filter(**_target(post), resolved_at__isnull=True).update(resolved_at=timezone.now())


@transaction.atomic
def deny_appeal(post, actor, note=""):
    """Keep a hidden or rejected post off the site after reading the author's appeal."""
    _require_moderator(actor)
    row = _locked(post)
    if not row.appeal_pending:
        return False
    was = snapshot(row)
    row.appeal_decided_at = timezone.now()
    row.save(update_fields=["appeal_decided_at"])
    action = log_action(actor, Kind.APPEAL_DENIED, **_target(row), from_status=row.status, to_status=row.status, reason=row.reason, note=note)
    _tell_author(row, action)
    audit(actor, "moderate: deny appeal", row, was, note=note)
    post.refresh_from_db()
    return True


def flag_post(post, user, reason, note=""):
    """A resident reports a post. FORUM_FLAGS_TO_HIDE open flags hide it until a moderator decides."""
    _require_poster(user)
    if post.status not in PUBLIC_STATUSES:
        raise PermissionDenied(_("Only posts on the site can be flagged."))
    if post.author_id == user.pk:
        raise PermissionDenied(_("You cannot flag your own post."))
    try:
        with transaction.atomic():
            _flag, created = Flag.objects.get_or_create(**_target(post), user=user, defaults={"reason": reason, "note": note})
    except IntegrityError:
        created = False
    _sync(post)
    if created:
        _maybe_auto_hide(post)
    return created


@transaction.atomic
def _maybe_auto_hide(post):
    row = _locked(post)
    open_flags = Flag.objects.filter(**_target(row), resolved_at__isnull=True)
    if row.status not in PUBLIC_STATUSES or open_flags.count() < settings.FORUM_FLAGS_TO_HIDE:
        return False
    # The most common reason among the flags is what the author is told.
    reasons = list(open_flags.values_list("reason", flat=True))
    reason = max(set(reasons), key=reasons.count)
    before = row.status
    row.status_before_hide, row.status, row.reason = before, S.HIDDEN, reason
    row.reason_note = f"Hidden automatically after {len(reasons)} residents flagged it; a moderator will decide."
    row.save(update_fields=["status", "status_before_hide", "reason", "reason_note"])
    action = log_action(None, Kind.AUTO_HIDE, **_target(row), from_status=before, to_status=S.HIDDEN, reason=reason, note=row.reason_note)
    _tell_author(row, action)
    _sync(row)
    post.refresh_from_db()
    return True


@transaction.atomic
def appeal_post(post, user, text):
    """The author of a hidden or rejected post asks for another look, once."""
    if post.author_id != getattr(user, "pk", None):
        raise PermissionDenied(_("Only the author can appeal."))
    row = _locked(post)
    if row.appealed_at is not None:
        raise PermissionDenied(_("You have appealed this decision already; a post can be appealed once."))
    if row.status not in (S.HIDDEN, S.REJECTED):
        return False
    text = text.strip()
    if not text:
        raise ValidationError(_("Say why the post should be shown."))
    row.appeal_text, row.appealed_at = text, timezone.now()
    row.save(update_fields=["appeal_text", "appealed_at"])
    log_action(user, Kind.APPEAL, **_target(row), from_status=row.status, to_status=row.status, note=text)
    post.refresh_from_db()
    return True


# --- Closing and answering ----------------------------------------------------------------------


@transaction.atomic
def close_question(question, actor, note=""):
    """Published or answered → closed: no more replies or votes."""
    roles.require(actor, roles.CLOSE_QUESTIONS, "Only moderators and staff may close questions")
    row = _locked(question)
    if row.status not in (S.PUBLISHED, S.ANSWERED):
        return False
    was, before = snapshot(row), row.status
    row.status_before_close, row.status, row.closed_at = before, S.CLOSED, timezone.now()
    row.save(update_fields=["status", "status_before_close", "closed_at"])
    log_action(actor, Kind.CLOSE, question=row, from_status=before, to_status=S.CLOSED, note=note)
    audit(actor, "close question", row, was, note=note)
    question.refresh_from_db()
    return True


@transaction.atomic
def reopen_question(question, actor, note=""):
    roles.require(actor, roles.CLOSE_QUESTIONS, "Only moderators and staff may reopen questions")
    row = _locked(question)
    if row.status != S.CLOSED:
        return False
    was = snapshot(row)
    target = S.ANSWERED if hasattr(row, "answer") else S.PUBLISHED
    row.status, row.closed_at, row.status_before_close = target, None, ""
    row.save(update_fields=["status", "closed_at", "status_before_close"])
    log_action(actor, Kind.REOPEN, question=row, from_status=S.CLOSED, to_status=target, note=note)
    audit(actor, "reopen question", row, was, note=note)
    question.refresh_from_db()
    return True


@transaction.atomic
def answer_question(question, actor, body, report_version=None):
    """Give the official answer. Notifies the author, every voter and every follower, once each.

    Answering again revises the text without a second round of e-mails. Returns whether
    anything changed.
    """
    roles.require(actor, roles.ANSWER_QUESTIONS, "Only staff may give an official answer")
    written = write_answer(question, actor, body, report_version)
    if written is None:
        return False
    answer, before = written
    audit(actor, "revise answer" if before else "answer question", answer, before)
    return True


def write_answer(question, actor, body, report_version=None):
    """The answer itself, for answer_question() and an "answered live" meeting outcome, which
    check the permission and write the audit row. Returns (answer, its snapshot before) or None
    if the answer says this already; the snapshot is None for a new answer."""
    if not body.strip():
        raise ValidationError(_("The answer is empty."))
    row = _locked(question)
    if row.status not in (S.PUBLISHED, S.ANSWERED, S.CLOSED):
        raise PermissionDenied(_("Only a published question can be answered; review it first."))
    existing = Answer.objects.filter(question=row).first()
    if existing is not None:
        if existing.body == body and existing.report_version_id == getattr(report_version, "pk", None):
            return None
        before = snapshot(existing)
        existing.body, existing.body_html = body, render_markdown(body)
        existing.report_version, existing.revised_at = report_version, timezone.now()
        existing.save()
        question.refresh_from_db()
        return existing, before
    answer = Answer.objects.create(question=row, author=actor, body=body, body_html=render_markdown(body), report_version=report_version)
    if row.status == S.PUBLISHED:
        row.status = S.ANSWERED
    row.answered_at = timezone.now()
    row.save(update_fields=["status", "answered_at"])
    # The e-mails are rows of this transaction: committed with the answer, or not at all.
    notifications.queue_answer_notifications(row)
    _send_after_commit("send_answer_notifications", row.pk)
    question.refresh_from_db()
    return answer, None


# --- Who sees what ------------------------------------------------------------------------------


def visible_questions(user):
    """Questions a person may open: public ones, plus their own and, for moderators, all."""
    if roles.acts_for_the_portal(user):
        return Question.objects.all()
    public = Q(status__in=PUBLIC_STATUSES)
    if getattr(user, "is_authenticated", False):
        return Question.objects.filter(public | Q(author=user))
    return Question.objects.filter(public)


def visible_replies(question, user):
    qs = question.replies.select_related("author")
    if roles.can_moderate(user):
        return qs
    public = Q(status=S.PUBLISHED)
    if getattr(user, "is_authenticated", False):
        return qs.filter(public | Q(author=user))
    return qs.filter(public)
