"""Redis (the cache and the broker) stopped for 30 s while residents post 200 questions to a real
web server and staff answer followed questions: every post is stored, no request gets a 5xx, and
the answer e-mails, which could not be queued while Redis was down, go out once each after it
returns (the outbox drained by beat and the worker, neither of them restarted).
"""

import collections
import time

import pytest
import redis

from .conftest import SWEEP_SECONDS, wait_for

pytestmark = pytest.mark.services

OUTAGE_SECONDS = 30
QUESTIONS = 200
DOWN_AFTER = 60  # questions posted before Redis stops
UP_BEFORE = 160  # questions posted before it starts again: 100 of them during the outage
TITLE = "Turbine run hours, question number {}"
ANSWER_AT = {70: 0, 85: 1, 100: 2, 115: 3, 130: 4}  # question number → which seeded question staff answer then


def test_redis_stopped_for_30_seconds_during_200_questions_loses_nothing_and_mails_each_person_once(portal):
    worker = portal.worker("redis-worker")
    web_pid, beat_pid = portal.web.pid, portal.beat.pid
    seed, sink = portal.seed, portal.smtp
    statuses, answers, others = collections.Counter(), [], collections.Counter()
    sent_while_down = None
    down_at = up_at = None
    slowest = 0.0  # the longest question post while Redis was down
    for n in range(QUESTIONS):
        if n == DOWN_AFTER:
            portal.redis.stop()
            down_at = time.monotonic()
        elif n == UP_BEFORE:
            time.sleep(max(0.0, down_at + OUTAGE_SECONDS - time.monotonic()))
            sent_while_down = len(sink.received())
            portal.redis.start()
            up_at = time.monotonic()
        if down_at and not up_at:
            # Spread the outage's 100 questions over its 30 s, as a stream of residents would.
            time.sleep(max(0.0, down_at + (n - DOWN_AFTER) * 0.28 - time.monotonic()))
        began = time.monotonic()
        status, _, _ = portal.post("/forum/ask/", {"title": TITLE.format(n), "body": "How many hours last month?",
                                                   "topic": "energy", "website": ""},
                                   session=seed["askers"][n], forwarded_for=f"198.51.100.{n % 10}")
        statuses[status] += 1
        if down_at and not up_at:
            slowest = max(slowest, time.monotonic() - began)
        if n in ANSWER_AT:
            question = seed["questions"][ANSWER_AT[n]]
            status, headers, _ = portal.post(f"/forum/questions/{question['id']}/answer/",
                                             {"body": "About 610 hours each."}, session=seed["staff"])
            # A 302 to the second-factor or sign-in page is a refusal, not an answer: keep where it went.
            answers.append((status, headers.get("location", "")))
        if n % 10 == 5:  # anonymous readers too: the API's throttle counts in the same cache
            others[portal.get("/api/v1/facilities/", forwarded_for="203.0.113.9")[0]] += 1
            others[portal.get("/forum/")[0]] += 1
    outage = up_at - down_at

    everyone = sorted(address for question in seed["questions"] for address in question["tell"])

    def all_told():
        return len(sink.received()) >= len(everyone)

    wait_for(all_told, 60, lambda: f"{len(sink.received())} of {len(everyone)} e-mails after Redis returned\n"
                                   f"{portal.diagnostics()}")
    mailed_after = time.monotonic() - up_at
    time.sleep(3 * SWEEP_SECONDS)  # three more rounds of the outbox drain: nothing is sent twice
    received = sink.received()

    assert statuses == {302: QUESTIONS}, f"question answers: {dict(statuses)}"
    assert [status for status, _ in answers] == [302] * len(ANSWER_AT), answers
    assert not [to for _, to in answers if "verify" in to or "login" in to], f"staff were refused: {answers}"
    stored_answers = portal.postgres.query("select count(*) from forums_answer", ())[0][0]
    assert stored_answers == len(ANSWER_AT), "each staff answer was stored"
    assert others == {200: sum(2 for n in range(QUESTIONS) if n % 10 == 5)}, dict(others)
    stored = portal.postgres.query("select count(*), count(distinct title) from forums_question where title like %s",
                                   ("Turbine run hours, question number %",))[0]
    assert stored == (QUESTIONS, QUESTIONS)
    assert outage >= OUTAGE_SECONDS
    assert sent_while_down == 0, "no e-mail could be queued or drained while the broker was down"
    assert sorted(address for address, _ in received) == everyone, "each person told once"
    unsent = portal.postgres.query("select count(*) from forums_notification where sent_at is null")[0][0]
    assert unsent == 0
    # Django's cache keys read ":<version>:<key>"; the limiter's start with "rl:".
    assert redis.Redis(port=portal.redis.port).keys("*:rl:*"), "the limits count in Redis again"
    assert worker.alive() and portal.web.alive() and portal.beat.alive(), "nothing was restarted"
    assert (portal.web.pid, portal.beat.pid) == (web_pid, beat_pid)
    print(f"\nRedis down {outage:.1f} s: {QUESTIONS} questions {dict(statuses)}, {len(answers)} answers {answers}, "
          f"reads {dict(others)}; slowest post while down {slowest:.2f} s; {len(received)} e-mails, all sent "
          f"{mailed_after:.1f} s after Redis returned")
