"""Public meetings: submissions ranked by votes, the docket freeze, outcomes, carry-over, iCal."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from portal.forums import meetings, services, tasks
from portal.forums.models import DocketItem, PostStatus

Outcome = DocketItem.Outcome


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(days_ahead=10, title="July public forum")


@pytest.fixture
def submitted(meeting, resident, make_question, make_resident):
    """Three questions for the meeting with 0, 2 and 1 votes."""
    questions = [make_question(resident, title=f"Meeting question {n}", meeting=meeting) for n in range(3)]
    for q, votes in zip(questions, (0, 2, 1)):
        for _ in range(votes):
            services.vote(q, make_resident())
    return questions


def test_submitted_questions_are_listed_by_votes_on_the_meeting_page(anonymous, meeting, submitted):
    page = anonymous.get(meeting.get_absolute_url()).content.decode()
    assert page.index("Meeting question 1") < page.index("Meeting question 2") < page.index("Meeting question 0")


def test_the_meeting_time_is_shown_in_the_facilitys_time_zone(anonymous, make_meeting):
    starts = dt.datetime(2030, 7, 15, 23, 30, tzinfo=dt.timezone.utc)  # 6:30 PM CDT in Memphis
    meeting = make_meeting(title="Summer forum")
    meeting.starts_at, meeting.ends_at = starts, starts + dt.timedelta(hours=2)
    meeting.save()
    page = anonymous.get(meeting.get_absolute_url()).content.decode()
    assert "6:30 PM" in page and "CDT" in page and "15 July 2030" in page


def test_the_docket_freezes_into_the_agenda_in_vote_order(meeting, submitted):
    assert meetings.freeze_docket(meeting) is True
    docket = list(meeting.docket.values_list("question__title", "votes_at_freeze"))
    assert docket == [("Meeting question 1", 2), ("Meeting question 2", 1), ("Meeting question 0", 0)]
    assert meetings.freeze_docket(meeting) is False, "freezing twice changes nothing"
    assert meeting.docket.count() == 3


def test_the_docket_keeps_only_the_top_questions(meeting, submitted, settings):
    settings.FORUM_DOCKET_SIZE = 2
    meetings.freeze_docket(meeting)
    assert meeting.docket.count() == 2


def test_the_freeze_happens_n_days_before_the_meeting(meeting, submitted, settings):
    settings.FORUM_DOCKET_FREEZE_DAYS = 3
    assert meetings.freeze_due_dockets(now=meeting.starts_at - dt.timedelta(days=4)) == []
    assert meetings.freeze_due_dockets(now=meeting.starts_at - dt.timedelta(days=3)) == [meeting]
    assert meetings.freeze_due_dockets(now=meeting.starts_at - dt.timedelta(days=2)) == []


def test_the_command_and_the_task_freeze_due_dockets_once(make_meeting, resident, make_question):
    soon = make_meeting(days_ahead=1)
    make_question(resident, title="Soon question", meeting=soon)
    call_command("forum_meetings")
    call_command("forum_meetings")
    tasks.meeting_housekeeping()
    assert soon.docket.count() == 1
    assert tasks.freeze_docket(soon.pk) is False


def test_a_frozen_meeting_takes_no_more_questions(meeting, submitted, resident):
    meetings.freeze_docket(meeting)
    meeting.refresh_from_db()
    resident.is_trusted = True
    with pytest.raises(ValidationError, match="frozen"):
        services.ask_question(resident, title="Late question for the forum", body="x", topic="air", meeting=meeting)


def test_residents_submit_a_question_for_a_meeting_through_the_form(login, resident, meeting):
    response = login(resident).post(
        "/forum/ask/", {"title": "Will you publish the stack test results?", "body": "x", "topic": "air", "meeting": meeting.pk}
    )
    assert response.status_code == 302
    assert meeting.questions.count() == 1


def test_staff_record_outcomes_and_answered_live_notifies_everyone(meeting, submitted, staff_member, resident, django_capture_on_commit_callbacks):
    meetings.freeze_docket(meeting)
    first = meeting.docket.get(position=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert meetings.record_outcome(first, staff_member, Outcome.ANSWERED_LIVE, "Yes, every quarter.")
    first.question.refresh_from_db()
    assert first.question.status == PostStatus.ANSWERED
    assert "Yes, every quarter." in first.question.answer.body
    assert {m.to[0] for m in mail.outbox} >= {resident.email}


def test_outcomes_need_their_details(meeting, submitted, staff_member):
    meetings.freeze_docket(meeting)
    item = meeting.docket.get(position=2)
    with pytest.raises(ValidationError):
        meetings.record_outcome(item, staff_member, Outcome.WRITTEN_ANSWER_DUE)
    with pytest.raises(ValidationError):
        meetings.record_outcome(item, staff_member, Outcome.OUT_OF_SCOPE, "")
    assert meetings.record_outcome(item, staff_member, Outcome.WRITTEN_ANSWER_DUE, "", dt.date(2030, 8, 1))


@pytest.mark.parametrize("persona", ["resident", "moderator"])
def test_only_staff_record_outcomes(meeting, submitted, persona, request):
    meetings.freeze_docket(meeting)
    with pytest.raises(PermissionDenied):
        meetings.record_outcome(meeting.docket.first(), request.getfixturevalue(persona), Outcome.OUT_OF_SCOPE, "No.")


def test_unreached_questions_carry_over_to_the_next_meeting(make_meeting, meeting, submitted, staff_member):
    later = make_meeting(days_ahead=40, title="August public forum")
    meetings.freeze_docket(meeting)
    meetings.record_outcome(meeting.docket.get(position=1), staff_member, Outcome.OUT_OF_SCOPE, "A county matter.")
    after = meeting.starts_at + dt.timedelta(days=1)
    assert meetings.carry_over(meeting, now=after) == 2
    assert set(later.questions.values_list("title", flat=True)) == {"Meeting question 2", "Meeting question 0"}
    assert set(meeting.docket.values_list("outcome", flat=True)) == {Outcome.OUT_OF_SCOPE, Outcome.NOT_REACHED}
    assert meetings.carry_over(meeting, now=after) == 0, "carrying over twice moves nothing"


def test_carry_over_waits_for_a_next_meeting_to_exist(meeting, submitted, make_meeting):
    meetings.freeze_docket(meeting)
    after = meeting.starts_at + dt.timedelta(days=5)
    assert meetings.carry_over(meeting, now=after) == 0
    meeting.refresh_from_db()
    assert meeting.carried_over_at is None
    later = make_meeting(days_ahead=40)
    assert meetings.carry_over_due(now=after) == 3
    assert later.questions.count() == 3


def test_recording_minutes_carries_over_at_once(make_meeting, resident, make_question, staff_member):
    past = make_meeting(days_ahead=-1, title="Yesterday's forum")
    make_question(resident, title="Not reached yesterday", meeting=past)
    meetings.freeze_docket(past)
    later = make_meeting(days_ahead=30)
    assert meetings.record_minutes(past, staff_member, "We discussed water use.")
    assert later.questions.filter(title="Not reached yesterday").exists()


def test_minutes_cannot_be_recorded_before_the_meeting(meeting, staff_member):
    with pytest.raises(ValidationError):
        meetings.record_minutes(meeting, staff_member, "Too early.")


def test_the_staff_page_records_outcomes_and_minutes(login, make_meeting, resident, make_question, staff_member):
    past = make_meeting(days_ahead=-1)
    q = make_question(resident, title="Live question", meeting=past)
    meetings.freeze_docket(past)
    item = past.docket.get()
    client = login(staff_member)
    assert client.get(f"/forum/meetings/{past.pk}/record/").status_code == 200
    response = client.post(
        f"/forum/meetings/{past.pk}/record/",
        {f"item-{item.pk}-outcome": "out_of_scope", f"item-{item.pk}-outcome_note": "Federal matter.", "minutes-minutes": "Notes."},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    past.refresh_from_db()
    assert item.outcome == "out_of_scope" and past.minutes == "Notes."
    assert q.pk


def test_the_staff_page_is_closed_to_residents(login, resident, meeting):
    assert login(resident).get(f"/forum/meetings/{meeting.pk}/record/").status_code == 403


def test_the_ical_download(anonymous, meeting):
    meeting.agenda = "Water use, noise; questions"
    meeting.save()
    response = anonymous.get(f"/forum/meetings/{meeting.pk}/meeting.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "END:VEVENT\r\n" in body
    assert f"DTSTART:{meeting.starts_at.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}" in body
    assert "SUMMARY:July public forum" in body
    assert "noise\\; questions" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_the_meeting_list_shows_upcoming_and_past(anonymous, make_meeting):
    make_meeting(days_ahead=5, title="Next forum")
    make_meeting(days_ahead=-5, title="Last forum")
    page = anonymous.get("/forum/meetings/").content.decode()
    assert page.index("Next forum") < page.index("Last forum")


def test_a_meeting_needs_a_place_or_a_link(meeting):
    meeting.place, meeting.online_url = "", ""
    with pytest.raises(ValidationError):
        meeting.clean()
    assert timezone.is_aware(meeting.starts_at)


def test_cancelling_a_meeting_moves_its_questions_to_the_next_one(meeting, submitted, make_meeting, staff_member, resident):
    later = make_meeting(days_ahead=40)
    with pytest.raises(PermissionDenied):
        meetings.cancel_meeting(meeting, resident)
    assert meetings.cancel_meeting(meeting, staff_member)
    assert later.questions.count() == 3
    assert meetings.cancel_meeting(meeting, staff_member) is False
    assert "STATUS:CANCELLED" in __import__("portal.forums.ical", fromlist=["meeting_ics"]).meeting_ics(meeting)


def test_the_housekeeping_runs_every_hour_from_celery_beat(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="forums.meeting_housekeeping")
    assert (task.interval.every, task.interval.period, task.enabled) == (1, "hours", True)
    assert "forums.meeting_housekeeping" in __import__("portal.celery", fromlist=["app"]).app.tasks


def test_a_promised_written_answer_past_its_date_is_flagged_overdue(anonymous, make_meeting, resident, make_question, staff_member):
    past = make_meeting(days_ahead=-20)
    make_question(resident, title="Promised a written answer", meeting=past)
    meetings.freeze_docket(past)
    item = past.docket.get()
    meetings.record_outcome(item, staff_member, Outcome.WRITTEN_ANSWER_DUE, "", timezone.localdate() - dt.timedelta(days=3))
    assert "— overdue" in anonymous.get(past.get_absolute_url()).content.decode()
