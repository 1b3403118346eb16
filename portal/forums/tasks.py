"""Thin Celery tasks that take ids and call the services; each is safe to run twice."""

from celery import shared_task

from . import meetings, notifications
from .models import Meeting


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
    frozen = meetings.freeze_due_dockets()
    moved = meetings.carry_over_due()
    return {"frozen": [m.pk for m in frozen], "carried_over": moved}


@shared_task(name="forums.send_answer_notifications")
def send_answer_notifications(question_id):
    return notifications.send_answer_notifications(question_id)
