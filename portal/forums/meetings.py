"""Public meeting verbs: schedule and change a meeting, freeze the docket, record outcomes and
minutes, cancel, carry questions over.

Each verb a person does checks its role's permission (portal.accounts.roles) and writes one row
of the staff audit log in its transaction, whichever door called it: the admin, the staff pages,
the `forum_meetings` command (``--as``). freeze_docket() and carry_over() are idempotent and also
run without a person, from the hourly Celery task and the command (a "system" or "cli" row).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts import roles
from portal.audit.log import record, snapshot
from portal.audit.models import StaffAction
from portal.core import pagecache

from . import services
from .models import DocketItem, Meeting, PostStatus, Question

Outcome = DocketItem.Outcome
# Outcomes that settle a question; anything else is carried to the next meeting.
SETTLED = (Outcome.ANSWERED_LIVE, Outcome.WRITTEN_ANSWER_DUE, Outcome.OUT_OF_SCOPE)
# What schedule_meeting() and update_meeting() set; minutes, cancelling and the docket have verbs of their own.
MEETING_FIELDS = ("facility", "title", "starts_at", "ends_at", "place", "online_url", "agenda")


def ranked_questions(meeting):
    """The questions submitted for a meeting and still open, most votes first (ties: oldest first)."""
    return meeting.questions.filter(status=PostStatus.PUBLISHED).order_by("-vote_count", "created_at", "pk")


def _locked(meeting):
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def schedule_meeting(actor, **fields):
    """Staff schedule a public meeting (facility, title, starts_at, ends_at, place, online_url, agenda)."""
    roles.require(actor, roles.SCHEDULE_MEETINGS, "Only staff may schedule meetings")
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"schedule_meeting() does not set {', '.join(sorted(unknown))}")
    meeting = Meeting(**fields)
    meeting.full_clean()
    meeting.save()
    record(actor, StaffAction.Kind.ADD, meeting, None, snapshot(meeting), name="schedule meeting")
    return meeting


@transaction.atomic
def update_meeting(meeting, actor, **changes):
    """Change a meeting's details (the fields schedule_meeting() takes). Returns whether anything changed."""
    roles.require(actor, roles.CHANGE_MEETINGS, "Only staff may change meetings")
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"update_meeting() does not set {', '.join(sorted(unknown))}")
    row = _locked(meeting)
    changed = [name for name, value in changes.items() if getattr(row, name) != value]
    if not changed:
        return False
    before = snapshot(row)
    for name in changed:
        setattr(row, name, changes[name])
    row.full_clean()
    row.save(update_fields=changed)
    record(actor, StaffAction.Kind.CHANGE, row, before, snapshot(row), name="update meeting")
    meeting.refresh_from_db()
    return True


@transaction.atomic
def freeze_docket(meeting, actor=None, now=None):
    """Turn the top FORUM_DOCKET_SIZE questions into the agenda's docket. Returns whether it froze.

    ``actor`` is the person freezing it by hand (it needs forums.record_meeting_outcomes); None
    for the scheduled job.
    """
    if actor is not None:
        roles.require(actor, roles.RECORD_MEETINGS, "Only staff may freeze a docket")
    now = now or timezone.now()
    row = _locked(meeting)
    if row.docket_frozen_at is not None or row.is_cancelled:
        return False
    before = snapshot(row)
    for question in row.questions.filter(status=PostStatus.PUBLISHED):
        services.sync_question(question)
    top = list(ranked_questions(row)[: settings.FORUM_DOCKET_SIZE])
    DocketItem.objects.bulk_create(
        DocketItem(meeting=row, question=q, position=i, votes_at_freeze=q.vote_count) for i, q in enumerate(top, start=1)
    )
    row.docket_frozen_at = now
    row.save(update_fields=["docket_frozen_at"])
    pagecache.bump("forum")  # bulk_create sends no signal; do not count on the meeting's save above
    record(actor, StaffAction.Kind.ACTION, row, before, snapshot(row), name="freeze docket", reason=f"{len(top)} question(s) on the docket")
    meeting.refresh_from_db()
    return True


def freeze_due_dockets(now=None, actor=None):
    """Freeze every meeting whose freeze time has come. Returns the meetings frozen now."""
    if actor is not None:
        roles.require(actor, roles.RECORD_MEETINGS, "Only staff may freeze dockets")
    now = now or timezone.now()
    cutoff = now + dt.timedelta(days=settings.FORUM_DOCKET_FREEZE_DAYS)
    due = Meeting.objects.filter(docket_frozen_at__isnull=True, is_cancelled=False, starts_at__lte=cutoff)
    return [m for m in due if freeze_docket(m, actor=actor, now=now)]


@transaction.atomic
def record_outcome(item, actor, outcome, note="", written_answer_due=None):
    """Staff record what happened to a docket question. "Answered live" becomes the official
    answer (so it also needs forums.answer_question); the one audit row is the outcome's."""
    roles.require(actor, roles.RECORD_MEETINGS, "Only staff may record meeting outcomes")
    if outcome == Outcome.ANSWERED_LIVE:
        roles.require(actor, roles.ANSWER_QUESTIONS, "Only staff may give an official answer")
    row = DocketItem.objects.select_for_update().select_related("meeting", "question").get(pk=item.pk)
    if (row.outcome, row.outcome_note, row.written_answer_due) == (outcome, note, written_answer_due):
        return False
    before = snapshot(row)
    row.outcome, row.outcome_note, row.written_answer_due = outcome, note, written_answer_due
    row.full_clean()
    row.save(update_fields=["outcome", "outcome_note", "written_answer_due"])
    if outcome == Outcome.ANSWERED_LIVE:
        when = timezone.localtime(row.meeting.starts_at, row.meeting.zone)
        body = note.strip() or "This question was answered live at the meeting; see the minutes."
        body = f"{body}\n\n*Answered live at [{row.meeting.title}]({row.meeting.get_absolute_url()}), {when:%-d %B %Y}.*"
        services.write_answer(row.question, actor, body)
    record(actor, StaffAction.Kind.ACTION, row, before, snapshot(row), name="record outcome", reason=note)
    item.refresh_from_db()
    return True


@transaction.atomic
def record_minutes(meeting, actor, minutes):
    """Staff record the minutes; once recorded, unreached questions carry over at once."""
    roles.require(actor, roles.RECORD_MEETINGS, "Only staff may record minutes")
    row = _locked(meeting)
    if row.starts_at > timezone.now():
        raise ValidationError(_("Minutes can be recorded once the meeting has started."))
    if row.minutes == minutes:
        return False
    before = snapshot(row)
    row.minutes, row.minutes_recorded_at = minutes, timezone.now()
    row.save(update_fields=["minutes", "minutes_recorded_at"])
    moved = _carry_over(row)
    record(actor, StaffAction.Kind.ACTION, row, before, snapshot(row), name="record minutes", reason=_moved_text(moved))
    meeting.refresh_from_db()
    return True


@transaction.atomic
def cancel_meeting(meeting, actor, note=""):
    """Cancel a meeting; its questions move to the next meeting (now, or once one is scheduled)."""
    roles.require(actor, roles.CANCEL_MEETINGS, "Only staff may cancel meetings")
    row = _locked(meeting)
    if row.is_cancelled:
        return False
    before = snapshot(row)
    row.is_cancelled = True
    row.save(update_fields=["is_cancelled"])
    moved = _carry_over(row)
    record(actor, StaffAction.Kind.ACTION, row, before, snapshot(row), name="cancel meeting",
           reason="; ".join(filter(None, [note, _moved_text(moved)])))
    meeting.refresh_from_db()
    return True


def next_meeting(meeting):
    """The facility's next meeting that still takes questions, or None."""
    later = Meeting.objects.filter(
        facility=meeting.facility, is_cancelled=False, docket_frozen_at__isnull=True, starts_at__gt=meeting.starts_at
    ).order_by("starts_at")
    return next((m for m in later if m.accepts_questions), None)


def _moved_text(moved):
    if moved is None:
        return ""
    count, target = moved
    return f"{count} question(s) carried over to {target}"


def _carry_over(row, now=None):
    """Move the locked meeting's unsettled questions to the next meeting: (how many, where), or
    None if it is not time yet, it was done already, or there is no next meeting."""
    now = now or timezone.now()
    # A cancelled meeting hands its questions on at once; a held one once it has started.
    if row.carried_over_at is not None or (row.starts_at > now and not row.is_cancelled):
        return None
    target = next_meeting(row)
    if target is None:
        return None
    settled_ids = set(row.docket.filter(outcome__in=SETTLED).values_list("question_id", flat=True))
    row.docket.filter(outcome=Outcome.PENDING).update(outcome=Outcome.NOT_REACHED)
    moving = [q.pk for q in row.questions.filter(status=PostStatus.PUBLISHED) if q.pk not in settled_ids]
    Question.objects.filter(pk__in=moving).update(meeting=target)
    row.carried_over_at = now
    row.save(update_fields=["carried_over_at"])
    pagecache.bump("forum")  # the two .update() calls above sent no signal
    return len(moving), target


@transaction.atomic
def carry_over(meeting, actor=None, now=None):
    """Move the meeting's unsettled questions to the next meeting. Returns how many moved.

    Runs once per meeting (carried_over_at). With no next meeting scheduled yet nothing is
    marked, so the scheduled job tries again once staff add one. ``actor``: as freeze_docket().
    """
    if actor is not None:
        roles.require(actor, roles.RECORD_MEETINGS, "Only staff may carry questions over")
    row = _locked(meeting)
    before = snapshot(row)
    moved = _carry_over(row, now)
    if moved is None:
        return 0
    record(actor, StaffAction.Kind.ACTION, row, before, snapshot(row), name="carry over", reason=_moved_text(moved))
    meeting.refresh_from_db()
    return moved[0]


def carry_over_due(now=None, actor=None):
    """Carry over meetings whose minutes are recorded, or that ended FORUM_CARRY_OVER_GRACE_DAYS ago."""
    if actor is not None:
        roles.require(actor, roles.RECORD_MEETINGS, "Only staff may carry questions over")
    now = now or timezone.now()
    grace = now - dt.timedelta(days=settings.FORUM_CARRY_OVER_GRACE_DAYS)
    candidates = Meeting.objects.filter(carried_over_at__isnull=True).filter(Q(starts_at__lte=now) | Q(is_cancelled=True))
    moved = 0
    for meeting in candidates:
        if meeting.is_cancelled or meeting.minutes_recorded_at or (meeting.ends_at or meeting.starts_at) <= grace:
            moved += carry_over(meeting, actor=actor, now=now)
    return moved


def housekeeping(actor=None, now=None):
    """The hourly pass: freeze due dockets, then carry finished meetings over. Returns (frozen meetings, questions moved)."""
    return freeze_due_dockets(now=now, actor=actor), carry_over_due(now=now, actor=actor)
