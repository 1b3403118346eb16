"""Public meeting verbs: freeze the docket, record outcomes and minutes, carry questions over.

freeze_docket() and carry_over() are idempotent and called from the `forum_meetings` management
command, the Celery tasks in tasks.py, the admin and the staff pages alike.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.accounts import roles

from . import services
from .models import DocketItem, Meeting, ModerationAction, PostStatus, Question

Kind = ModerationAction.Kind
Outcome = DocketItem.Outcome
# Outcomes that settle a question; anything else is carried to the next meeting.
SETTLED = (Outcome.ANSWERED_LIVE, Outcome.WRITTEN_ANSWER_DUE, Outcome.OUT_OF_SCOPE)


def ranked_questions(meeting):
    """The questions submitted for a meeting and still open, most votes first (ties: oldest first)."""
    return meeting.questions.filter(status=PostStatus.PUBLISHED).order_by("-vote_count", "created_at", "pk")


@transaction.atomic
def freeze_docket(meeting, actor=None, now=None):
    """Turn the top FORUM_DOCKET_SIZE questions into the agenda's docket. Returns whether it froze."""
    now = now or timezone.now()
    row = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if row.docket_frozen_at is not None or row.is_cancelled:
        return False
    for question in row.questions.filter(status=PostStatus.PUBLISHED):
        services.sync_question(question)
    top = list(ranked_questions(row)[: settings.FORUM_DOCKET_SIZE])
    DocketItem.objects.bulk_create(
        DocketItem(meeting=row, question=q, position=i, votes_at_freeze=q.vote_count) for i, q in enumerate(top, start=1)
    )
    row.docket_frozen_at = now
    row.save(update_fields=["docket_frozen_at"])
    services.log_action(actor, Kind.FREEZE_DOCKET, meeting=row, note=f"{len(top)} question(s) on the docket")
    meeting.refresh_from_db()
    return True


def freeze_due_dockets(now=None):
    """Freeze every meeting whose freeze time has come. Returns the meetings frozen now."""
    now = now or timezone.now()
    cutoff = now + dt.timedelta(days=settings.FORUM_DOCKET_FREEZE_DAYS)
    due = Meeting.objects.filter(docket_frozen_at__isnull=True, is_cancelled=False, starts_at__lte=cutoff)
    return [m for m in due if freeze_docket(m, now=now)]


@transaction.atomic
def record_outcome(item, actor, outcome, note="", written_answer_due=None):
    """Staff record what happened to a docket question. "Answered live" becomes the official answer."""
    roles.require(actor, roles.RECORD_MEETINGS, "Only staff may record meeting outcomes")
    row = DocketItem.objects.select_for_update().select_related("meeting", "question").get(pk=item.pk)
    if (row.outcome, row.outcome_note, row.written_answer_due) == (outcome, note, written_answer_due):
        return False
    row.outcome, row.outcome_note, row.written_answer_due = outcome, note, written_answer_due
    row.full_clean()
    row.save(update_fields=["outcome", "outcome_note", "written_answer_due"])
    services.log_action(
        actor, Kind.RECORD_OUTCOME, question=row.question, meeting=row.meeting, to_status=outcome, note=note
    )
    if outcome == Outcome.ANSWERED_LIVE:
        when = timezone.localtime(row.meeting.starts_at, row.meeting.zone)
        body = note.strip() or "This question was answered live at the meeting; see the minutes."
        body = f"{body}\n\n*Answered live at [{row.meeting.title}]({row.meeting.get_absolute_url()}), {when:%-d %B %Y}.*"
        services.answer_question(row.question, actor, body)
    item.refresh_from_db()
    return True


@transaction.atomic
def record_minutes(meeting, actor, minutes):
    """Staff record the minutes; once recorded, unreached questions carry over at once."""
    roles.require(actor, roles.RECORD_MEETINGS, "Only staff may record minutes")
    if meeting.starts_at > timezone.now():
        raise ValidationError("Minutes can be recorded once the meeting has started.")
    row = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if row.minutes == minutes:
        return False
    row.minutes, row.minutes_recorded_at = minutes, timezone.now()
    row.save(update_fields=["minutes", "minutes_recorded_at"])
    services.log_action(actor, Kind.RECORD_MINUTES, meeting=row)
    meeting.refresh_from_db()
    carry_over(meeting, actor=actor)
    return True


@transaction.atomic
def cancel_meeting(meeting, actor, note=""):
    """Cancel a meeting; its questions move to the next meeting (now, or once one is scheduled)."""
    roles.require(actor, roles.CANCEL_MEETINGS, "Only staff may cancel meetings")
    row = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if row.is_cancelled:
        return False
    row.is_cancelled = True
    row.save(update_fields=["is_cancelled"])
    services.log_action(actor, Kind.CANCEL_MEETING, meeting=row, note=note)
    meeting.refresh_from_db()
    carry_over(meeting, actor=actor)
    return True


def next_meeting(meeting):
    """The facility's next meeting that still takes questions, or None."""
    later = Meeting.objects.filter(
        facility=meeting.facility, is_cancelled=False, docket_frozen_at__isnull=True, starts_at__gt=meeting.starts_at
    ).order_by("starts_at")
    return next((m for m in later if m.accepts_questions), None)


@transaction.atomic
def carry_over(meeting, actor=None, now=None):
    """Move the meeting's unsettled questions to the next meeting. Returns how many moved.

    Runs once per meeting (carried_over_at). With no next meeting scheduled yet nothing is
    marked, so the scheduled job tries again once staff add one.
    """
    now = now or timezone.now()
    row = Meeting.objects.select_for_update().get(pk=meeting.pk)
    # A cancelled meeting hands its questions on at once; a held one once it has started.
    if row.carried_over_at is not None or (row.starts_at > now and not row.is_cancelled):
        return 0
    target = next_meeting(row)
    if target is None:
        return 0
    settled_ids = set(row.docket.filter(outcome__in=SETTLED).values_list("question_id", flat=True))
    row.docket.filter(outcome=Outcome.PENDING).update(outcome=Outcome.NOT_REACHED)
    moving = [q for q in row.questions.filter(status=PostStatus.PUBLISHED) if q.pk not in settled_ids]
    for question in moving:
        Question.objects.filter(pk=question.pk).update(meeting=target)
        services.log_action(actor, Kind.CARRY_OVER, question=question, meeting=target, note=f"From {row.title}")
    row.carried_over_at = now
    row.save(update_fields=["carried_over_at"])
    meeting.refresh_from_db()
    return len(moving)


def carry_over_due(now=None):
    """Carry over meetings whose minutes are recorded, or that ended FORUM_CARRY_OVER_GRACE_DAYS ago."""
    now = now or timezone.now()
    grace = now - dt.timedelta(days=settings.FORUM_CARRY_OVER_GRACE_DAYS)
    candidates = Meeting.objects.filter(carried_over_at__isnull=True).filter(Q(starts_at__lte=now) | Q(is_cancelled=True))
    moved = 0
    for meeting in candidates:
        if meeting.is_cancelled or meeting.minutes_recorded_at or (meeting.ends_at or meeting.starts_at) <= grace:
            moved += carry_over(meeting, now=now)
    return moved
