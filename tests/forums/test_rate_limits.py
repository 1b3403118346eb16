"""Rate limits per account and per IP: a clear 429 that keeps what was typed."""

import pytest

from portal.forums import services
from portal.forums.models import Flag, Question, Vote

QUESTION = {"title": "What is the NOx output per turbine per hour?", "body": "My carefully written details.", "topic": "air", "website": ""}


@pytest.fixture
def limits(settings):
    def _set(action, **scopes):
        settings.FORUM_RATE_LIMITS = {**settings.FORUM_RATE_LIMITS, action: scopes}

    return _set


def test_too_many_questions_get_a_429_and_the_text_is_kept(login, resident, limits):
    limits("question", account=(2, 3600))
    client = login(resident)
    for n in range(2):
        assert client.post("/forum/ask/", {**QUESTION, "title": f"{QUESTION['title']} ({n})"}).status_code == 302
    response = client.post("/forum/ask/", QUESTION)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many requests" in page and "2 per hour" in page
    assert "My carefully written details." in page and QUESTION["title"] in page
    assert Question.objects.count() == 2


def test_new_accounts_have_a_stricter_limit_than_established_ones(login, client, resident, another_resident, limits):
    limits("question", account=(5, 3600), new_account=(1, 3600))
    another_resident.date_joined = another_resident.date_joined.replace(year=2020)
    another_resident.is_trusted = True
    another_resident.save()
    newcomer = login(resident)
    assert newcomer.post("/forum/ask/", {**QUESTION, "title": "First question from a newcomer"}).status_code == 302
    assert newcomer.post("/forum/ask/", QUESTION).status_code == 429
    client.force_login(another_resident)
    for n in range(2):
        assert client.post("/forum/ask/", {**QUESTION, "title": f"Established question {n}"}).status_code == 302


def test_the_ip_limit_holds_across_accounts(client, resident, another_resident, limits):
    limits("question", ip=(1, 3600))
    client.force_login(resident)
    assert client.post("/forum/ask/", QUESTION, REMOTE_ADDR="198.51.100.7").status_code == 302
    client.force_login(another_resident)
    response = client.post("/forum/ask/", {**QUESTION, "title": "A different question on air"}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429
    assert "from your network" in response.content.decode()


def test_too_many_replies_keep_the_reply_text(login, question, another_resident, limits):
    limits("reply", account=(1, 3600))
    client = login(another_resident)
    client.post(f"/forum/questions/{question.pk}/reply/", {"body": "first"})
    response = client.post(f"/forum/questions/{question.pk}/reply/", {"body": "my second, carefully typed reply"})
    assert response.status_code == 429
    assert "my second, carefully typed reply" in response.content.decode()


def test_too_many_votes_get_a_429(login, make_question, resident, another_resident, limits):
    limits("vote", account=(1, 3600))
    first, second = make_question(resident, title="First vote target"), make_question(resident, title="Second vote target")
    client = login(another_resident)
    client.post(f"/forum/questions/{first.pk}/vote/")
    response = client.post(f"/forum/questions/{second.pk}/vote/")
    assert response.status_code == 429
    assert Vote.objects.count() == 1


def test_too_many_flags_get_a_429_that_keeps_the_note(login, make_question, resident, another_resident, limits):
    limits("flag", account=(1, 3600))
    first, second = make_question(resident, title="First flag target"), make_question(resident, title="Second flag target")
    client = login(another_resident)
    client.post(f"/forum/question/{first.pk}/flag/", {"reason": "spam"})
    response = client.post(f"/forum/question/{second.pk}/flag/", {"reason": "spam", "note": "my explanation"})
    assert response.status_code == 429
    assert "my explanation" in response.content.decode()
    assert Flag.objects.count() == 1


def test_limits_count_in_the_shared_cache_so_another_process_sees_them(resident, limits, rf):
    """Two requests built separately (as two workers would) share one count."""
    from portal.core import ratelimit

    limits("vote", account=(1, 3600))
    for expected in (True, False):
        request = rf.post("/")
        request.user = resident
        assert ratelimit.check(request, "vote").allowed is expected


def test_the_client_ip_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(rf, settings):
    from portal.core.ratelimit import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    settings.NUM_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
    settings.NUM_PROXIES = 1
    assert client_ip(request) == "203.0.113.5"


def test_withdrawing_a_vote_is_never_limited(login, question, another_resident, limits):
    limits("vote", account=(1, 3600))
    client = login(another_resident)
    client.post(f"/forum/questions/{question.pk}/vote/")
    assert client.post(f"/forum/questions/{question.pk}/vote/", {"undo": "1"}).status_code == 302
    assert not services.unvote(question, another_resident)


def test_an_old_account_without_reviewed_posts_still_counts_as_new(resident, settings):
    from portal.forums.limits import is_new_account

    settings.FORUM_NEW_ACCOUNT_DAYS, settings.FORUM_REVIEW_FIRST_POSTS = 7, 2
    resident.date_joined = resident.date_joined.replace(year=2020)
    assert is_new_account(resident)
    resident.is_trusted = True
    assert not is_new_account(resident)
