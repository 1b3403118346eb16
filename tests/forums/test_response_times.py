"""How long questions wait: shown on each question, overdue flagged publicly, monthly statistics."""

import datetime as dt

from django.utils import timezone

from portal.forums import services
from portal.forums.models import Question
from portal.forums.views.stats import monthly_response_times


def age(question, days):
    Question.objects.filter(pk=question.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    question.refresh_from_db()


def test_a_question_shows_how_long_it_has_waited_and_the_target(anonymous, question, settings):
    settings.FORUM_ANSWER_TARGET_DAYS = 14
    age(question, 5)
    page = anonymous.get(question.get_absolute_url()).content.decode()
    assert "for 5 days" in page and "the target is 14 days" in page
    assert "Overdue" not in page


def test_a_question_past_the_target_is_flagged_overdue_publicly(anonymous, question, settings):
    settings.FORUM_ANSWER_TARGET_DAYS = 14
    age(question, 20)
    assert question.is_overdue
    assert "Overdue" in anonymous.get(question.get_absolute_url()).content.decode()
    assert "Overdue" in anonymous.get("/forum/").content.decode()
    assert question.title in anonymous.get("/forum/?state=overdue").content.decode()


def test_answering_ends_the_wait(question, staff_member, settings):
    settings.FORUM_ANSWER_TARGET_DAYS = 14
    age(question, 20)
    services.answer_question(question, staff_member, "Sorry for the delay.")
    assert not question.is_overdue and question.answered_late
    assert question.waited.days == 20


def test_the_target_is_configurable(question, settings):
    age(question, 8)
    settings.FORUM_ANSWER_TARGET_DAYS = 7
    assert question.is_overdue
    settings.FORUM_ANSWER_TARGET_DAYS = 30
    assert not question.is_overdue


def test_monthly_statistics_count_asked_answered_and_median_days(make_question, resident, staff_member, settings):
    settings.FORUM_ANSWER_TARGET_DAYS = 14
    quick, slow, waiting = (make_question(resident, title=f"Stats question {n}") for n in range(3))
    for q in (quick, slow, waiting):
        Question.objects.filter(pk=q.pk).update(created_at=dt.datetime(2025, 3, 3, 15, tzinfo=dt.timezone.utc))
        q.refresh_from_db()
    for q, days in ((quick, 2), (slow, 20)):
        services.answer_question(q, staff_member, "Answer.")
        Question.objects.filter(pk=q.pk).update(answered_at=q.created_at + dt.timedelta(days=days))
    (march,) = monthly_response_times(now=dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc))
    assert march["month"] == dt.date(2025, 3, 1)
    assert (march["asked"], march["answered"], march["median_days"]) == (3, 2, 11.0)
    assert (march["within_pct"], march["open"], march["overdue"]) == (50, 1, 1)


def test_the_statistics_page_is_public(anonymous, question):
    response = anonymous.get("/forum/stats/")
    assert response.status_code == 200
    assert "14 days" in response.content.decode() or "days" in response.content.decode()
