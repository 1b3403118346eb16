"""Thin Celery tasks that take ids and call the services; each is safe to run twice."""

import logging

from celery import shared_task
from django.db import transaction

from . import meetings, notifications
from .models import Meeting

log = logging.getLogger(__name__)


def enqueue_on_commit(task, *args):
    """Send ``task`` to the broker once the transaction commits, without ever failing the caller.

    The work is already committed (e.g. as outbox rows) when this runs, so a broker that is down
    must not turn a saved action into a 500: it is logged, and the periodic task picks it up.
    """

    def _enqueue():
        try:
            task.delay(*args)
        except Exception as exc:  # noqa: BLE001 - kombu OperationalError, redis errors, timeouts
            log.warning("could not enqueue %s%r (%s: %s); the periodic task will pick it up", task.name, args, type(exc).__name__, exc)

    transaction.on_commit(_enqueue)


@shared_task(name="forums.freeze_docket")
def freeze_docket(meeting_id):
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    return bool(meeting and meetings.freeze_docket(meeting))


@shared_task(name="forums.carry_over")
def carry_over(meeting_id):
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    return meetings.carry_over(meeting) if meeting else 0


@shared_task(name="forums.meeting_housekeeping")
def meeting_housekeeping():
    """For Celery beat (e.g. hourly): freeze due dockets and carry over finished meetings."""
    frozen, moved = meetings.housekeeping()
    return {"frozen": [m.pk for m in frozen], "carried_over": moved}


@shared_task(name="forums.send_answer_notifications")
def send_answer_notifications(question_id):
    return notifications.send_answer_notifications(question_id)


@shared_task(name="forums.send_moderation_notice")
def send_moderation_notice(action_id):
    return notifications.send_moderation_notice(action_id)


@shared_task(name="forums.deliver_notifications")
def deliver_notifications():
    """For Celery beat (every minute): send outbox rows left by a broker outage or a failed send."""
    return notifications.deliver()
