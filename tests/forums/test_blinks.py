"""Nothing is lost when Redis or the broker blinks: posts are stored, e-mails are sent once.

The rate limiter falls back to counting in process memory when the cache fails; forum e-mails
are outbox rows committed with the answer and sent later if the broker or mail server is down.
A real Redis stopped for 30 s under a real web server and worker: tests/faults/test_redis_down.py.
"""

import logging
from smtplib import SMTPException

import pytest
from django.core import mail
from django.test import Client
from kombu.exceptions import OperationalError

from portal.core import ratelimit
from portal.forums import notifications, tasks
from portal.forums.models import Notification, Question


QUESTION = {"body": "How many hours did the turbines run last month?", "topic": "energy", "website": ""}


@pytest.fixture
def redis_down(cache_down):
    """The default cache refusing every call (tests/conftest.py), under the name these tests use."""
    return cache_down


def ask_as_many_people(make_resident, count, addresses=10):
    """``count`` residents ask one question each from ``addresses`` networks; returns each response."""
    client = Client(raise_request_exception=False)  # a server error must show as a 500, not raise
    responses = []
    for n in range(count):
        client.force_login(make_resident(f"asker{n}"))
        title = f"Turbine run hours, question number {n}"
        responses.append((title, client.post("/forum/ask/", {**QUESTION, "title": title}, REMOTE_ADDR=f"198.51.100.{n % addresses}")))
    return responses


def test_with_redis_down_200_questions_are_all_stored_and_none_is_a_500(redis_down, make_resident, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.core.ratelimit"):
        responses = ask_as_many_people(make_resident, 200)
    statuses = [response.status_code for _, response in responses]
    assert statuses.count(302) == 200, f"statuses: { {s: statuses.count(s) for s in set(statuses)} }"
    assert set(Question.objects.values_list("title", flat=True)) == {title for title, _ in responses}
    outage_warnings = [r for r in caplog.records if "rate-limit cache unavailable" in r.getMessage()]
    assert len(outage_warnings) == 1, "one warning per outage, not one per request"


def test_with_redis_down_the_limits_still_hold_in_this_process(redis_down, login, resident, settings):
    settings.FORUM_RATE_LIMITS = {**settings.FORUM_RATE_LIMITS, "question": {"account": (2, 3600)}}
    client = login(resident)
    for n in range(2):
        assert client.post("/forum/ask/", {**QUESTION, "title": f"Turbine run hours in May ({n})"}).status_code == 302
    response = client.post("/forum/ask/", {**QUESTION, "title": "Turbine run hours in June"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many requests" in page and QUESTION["body"] in page and "Turbine run hours in June" in page


def test_when_redis_returns_the_limits_count_there_again(redis_down, rf, resident, caplog):
    request = rf.post("/")
    request.user = resident
    assert ratelimit.check(request, "vote").allowed
    redis_down.down = False
    with caplog.at_level(logging.INFO, logger="portal.core.ratelimit"):
        assert ratelimit.check(request, "vote").allowed
    assert any("cache is back" in r.getMessage() for r in caplog.records)
    assert ratelimit.outage.since is None


# --- The broker down while staff answer ------------------------------------------------------------


@pytest.fixture
def crowd(question, make_resident):
    """The author, two voters and a follower: four people to tell."""
    from portal.forums import services

    voter, voter_who_follows, follower = make_resident("vera"), make_resident("victor"), make_resident("fiona")
    services.vote(question, voter)
    services.vote(question, voter_who_follows)
    services.follow(question, voter_who_follows)
    services.follow(question, follower)
    return [question.author, voter, voter_who_follows, follower]


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    for task in (tasks.send_answer_notifications, tasks.send_moderation_notice):
        monkeypatch.setattr(task, "delay", refuse)
        monkeypatch.setattr(task, "apply_async", refuse)


def addressees():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db(transaction=True)  # so that the answer really commits inside the request
def test_broker_down_while_staff_answer_saves_the_answer_and_the_emails_follow_once(question, crowd, staff_member, broker_down, settings, caplog, login):
    settings.FORUM_NOTIFY_IN_WORKER = True
    client = login(staff_member, client=Client(raise_request_exception=False))
    with caplog.at_level(logging.WARNING, logger="portal.forums.tasks"):
        response = client.post(f"/forum/questions/{question.pk}/answer/", {"body": "About 610 hours each."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer.body == "About 610 hours each."
    assert any("could not enqueue forums.send_answer_notifications" in r.getMessage() for r in caplog.records)
    assert mail.outbox == []
    assert Notification.objects.filter(sent_at__isnull=True).count() == 4

    assert tasks.deliver_notifications() == 4  # the periodic drain, once the broker is back
    assert addressees() == sorted(person.email for person in crowd)
    assert tasks.deliver_notifications() == 0
    assert len(mail.outbox) == 4, "each person is told once"


def test_a_failed_send_in_the_request_leaves_the_row_and_the_retry_sends_it_once(question, crowd, staff_member, monkeypatch, django_capture_on_commit_callbacks):
    from portal.forums import services

    real_send = notifications.send_mail

    def refuse_one(subject, body, sender, to):
        if to == [crowd[1].email] and not refused:
            refused.append(to)
            raise SMTPException("421 try again later")
        return real_send(subject, body, sender, to)

    refused = []
    monkeypatch.setattr(notifications, "send_mail", refuse_one)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.answer_question(question, staff_member, "About 610 hours each.")
    assert len(mail.outbox) == 3
    row = Notification.objects.get(user=crowd[1])
    assert row.sent_at is None and row.attempts == 1 and "421" in row.last_error
    assert notifications.deliver() == 0, "not before its backoff"

    Notification.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    assert notifications.deliver() == 1
    assert notifications.deliver() == 0
    assert addressees() == sorted(person.email for person in crowd)


def test_a_row_held_by_a_sender_that_died_is_sent_once_after_its_claim_runs_out(question, crowd, staff_member, settings, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from portal.forums import services

    settings.FORUM_NOTIFY_IN_WORKER = True
    with django_capture_on_commit_callbacks(execute=False):
        services.answer_question(question, staff_member, "About 610 hours each.")
    claimed = notifications._claim(timezone.now(), 10, {})  # a sender takes the rows, then dies
    assert len(claimed) == 4
    assert notifications.deliver() == 0, "another sender leaves claimed rows alone"
    Notification.objects.update(next_attempt_at=timezone.now())  # the claim has run out
    assert notifications.deliver() == 4
    assert notifications.deliver() == 0
    assert len(mail.outbox) == 4


def test_a_mail_server_that_keeps_refusing_is_tried_a_bounded_number_of_times(question, resident, staff_member, monkeypatch, django_capture_on_commit_callbacks):
    from portal.forums import services

    def refuse(*args, **kwargs):
        raise SMTPException("554 no")

    monkeypatch.setattr(notifications, "send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_question(question, staff_member, "About 610 hours each.")
    for _ in range(notifications.MAX_ATTEMPTS + 3):
        Notification.objects.update(next_attempt_at=question.created_at)
        notifications.deliver()
    row = Notification.objects.get(user=resident)
    assert row.attempts == notifications.MAX_ATTEMPTS and row.sent_at is None and "554" in row.last_error


def test_a_moderation_notice_with_the_broker_down_is_kept_and_sent_later(question, moderator, broker_down, settings, django_capture_on_commit_callbacks):
    from portal.forums import services

    settings.FORUM_NOTIFY_IN_WORKER = True
    with django_capture_on_commit_callbacks(execute=True):
        assert services.hide_post(question, moderator, "personal_data", note="A neighbour's address.")
    assert mail.outbox == []
    assert tasks.deliver_notifications() == 1
    assert mail.outbox[0].to == [question.author.email] and "neighbour's address" in mail.outbox[0].body
    assert tasks.deliver_notifications() == 0
