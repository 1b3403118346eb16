"""Asking a question: who may, review of new accounts' first posts, report charts, honeypot, links."""

import pytest
from django.core.exceptions import PermissionDenied

from portal.forums import services
from portal.forums.models import PostStatus, Question

FORM = {"title": "How many hours did the gas turbines run in July?", "body": "I live on Shelby Drive.", "topic": "air", "website": ""}


def test_anonymous_is_sent_to_log_in(anonymous, db):
    response = anonymous.get("/forum/ask/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_new_residents_first_question_waits_for_review(login, resident):
    response = login(resident).post("/forum/ask/", FORM)
    question = Question.objects.get()
    assert response.status_code == 302
    assert question.status == PostStatus.PENDING
    assert question.published_at is None


def test_a_pending_question_is_shown_to_its_author_but_not_to_others(login, client, resident, another_resident):
    login(resident).post("/forum/ask/", FORM)
    question = Question.objects.get()
    assert client.get(question.get_absolute_url()).status_code == 200
    client.force_login(another_resident)
    assert client.get(question.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(question.get_absolute_url()).status_code == 404
    assert question.title not in client.get("/forum/").content.decode()


def test_after_the_first_reviewed_posts_a_resident_posts_directly(resident, moderator, settings):
    settings.FORUM_REVIEW_FIRST_POSTS = 2
    for n in range(2):
        q = services.ask_question(resident, title=f"Question number {n} about water", body="x", topic="water")
        assert q.status == PostStatus.PENDING
        services.approve_post(q, moderator)
    third = services.ask_question(resident, title="Question number three about water", body="x", topic="water")
    assert third.status == PostStatus.PUBLISHED


def test_trusted_accounts_and_staff_post_directly(resident, moderator, staff_member):
    resident.is_trusted = True
    resident.save()
    for person in (resident, moderator, staff_member):
        q = services.ask_question(person, title=f"A question from {person.username} on noise", body="x", topic="noise")
        assert q.status == PostStatus.PUBLISHED


def test_a_rejected_post_does_not_count_towards_trust(resident, moderator, settings):
    settings.FORUM_REVIEW_FIRST_POSTS = 1
    q = services.ask_question(resident, title="Buy cheap watches here today", body="spam", topic="other")
    services.reject_post(q, moderator, "spam")
    assert services.needs_review(resident)


def test_an_inactive_account_cannot_ask(resident):
    resident.is_active = False
    with pytest.raises(PermissionDenied):
        services.ask_question(resident, title="Can I ask while deactivated?", body="x", topic="other")


def test_a_question_can_point_at_a_report_chart_and_its_page_shows_the_chart(login, resident, report_version):
    resident.is_trusted = True
    resident.save()
    data = {**FORM, "report_version": report_version.pk, "chart_key": "generator-output", "window_start": "2024-07-15"}
    response = login(resident).post("/forum/ask/", data)
    assert response.status_code == 302, response.content.decode()
    question = Question.objects.get()
    assert (question.report_version, question.chart_key) == (report_version, "generator-output")
    page = login(resident).get(question.get_absolute_url()).content.decode()
    assert "Generator output" in page
    assert "Line chart of MW" in page
    assert "15 July 2024" in page


def test_an_unknown_chart_gets_an_error_listing_the_reports_charts_and_keeps_the_text(login, resident, report_version):
    data = {**FORM, "report_version": report_version.pk, "chart_key": "nox-by-hour"}
    response = login(resident).post("/forum/ask/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "generator-output" in page
    assert FORM["title"] in page and FORM["body"] in page
    assert not Question.objects.exists()


def test_a_window_that_ends_before_it_starts_is_refused(login, resident):
    response = login(resident).post("/forum/ask/", {**FORM, "window_start": "2024-07-15", "window_end": "2024-07-01"})
    assert response.status_code == 400
    assert "before the start" in response.content.decode()


def test_a_report_page_can_link_to_a_prefilled_form(login, resident, report_version):
    url = f"/forum/ask/?report={report_version.pk}&chart=generator-output&from=2024-07-15"
    page = login(resident).get(url).content.decode()
    assert 'value="generator-output"' in page and 'value="2024-07-15"' in page


def test_the_honeypot_refuses_the_question_and_keeps_the_text(login, resident):
    response = login(resident).post("/forum/ask/", {**FORM, "website": "buy now"})
    assert response.status_code == 400
    assert FORM["body"] in response.content.decode()
    assert not Question.objects.exists()


def test_new_accounts_may_include_only_a_few_links(login, resident, settings):
    settings.FORUM_MAX_LINKS_NEW = 1
    body = "See https://a.example and https://b.example"
    response = login(resident).post("/forum/ask/", {**FORM, "body": body})
    assert response.status_code == 400
    page = response.content.decode()
    assert "at most 1" in page and "https://b.example" in page


def test_established_accounts_may_include_more_links(resident, settings):
    settings.FORUM_MAX_LINKS_NEW, settings.FORUM_MAX_LINKS = 1, 5
    resident.is_trusted = True
    resident.date_joined = resident.date_joined.replace(year=2020)
    resident.save()
    q = services.ask_question(resident, title="Two sources on the turbines", body="https://a.example https://b.example", topic="air")
    assert q.pk


def test_the_body_is_rendered_as_safe_markdown(resident):
    q = services.ask_question(resident, title="Is the **flare** safe to breathe?", body="**really** <script>x</script>", topic="air")
    assert "<strong>really</strong>" in q.body_html and "<script" not in q.body_html


def test_the_asker_follows_the_question(resident):
    q = services.ask_question(resident, title="Will there be more turbines?", body="x", topic="energy")
    assert q.follows.filter(user=resident).exists()


def test_the_form_offers_only_meetings_still_taking_questions(login, resident, make_meeting, settings):
    settings.FORUM_DOCKET_FREEZE_DAYS = 3
    make_meeting(days_ahead=10, title="Open forum in ten days")
    make_meeting(days_ahead=2, title="Forum about to freeze")
    page = login(resident).get("/forum/ask/").content.decode()
    assert "Open forum in ten days" in page and "Forum about to freeze" not in page
