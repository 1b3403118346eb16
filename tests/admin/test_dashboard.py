"""The admin index shows what needs attention today, and whether the broker and a worker answer."""

import datetime as dt
import uuid
from unittest import mock

import pytest
from django.utils import timezone

from impact.models import ReportRun
from portal.forums.models import PostStatus, Question
from portal.staff import dashboard

from .test_moderation_console import make_question

HEALTHY = {"broker_ok": True, "broker_error": "", "workers_ok": True, "checked_at": timezone.now(), "queues": {
    "celery": {"ok": True, "detail": "celery@web1, 4 s ago"}, "reports": {"ok": True, "detail": "celery@web2, 9 s ago"}}}


@pytest.fixture(autouse=True)
def services_answer():
    # A key of its own, so a test process running beside this one cannot hand us its cached answer.
    with (
        mock.patch("portal.staff.dashboard.check_services", return_value=HEALTHY) as check,
        mock.patch.object(dashboard, "HEALTH_CACHE_KEY", f"staff:service-health:{uuid.uuid4()}"),
    ):
        yield check


def section(page, element_id):
    text = page.content.decode()
    start = text.index(f'id="{element_id}"')
    return text[start : text.index("</td>", start)]


def test_moderators_see_posts_awaiting_review_with_the_oldest_ones_age(moderator, staff_client, resident):
    make_question(resident, title="Fresh", status=PostStatus.PENDING)
    old = make_question(resident, title="Old", status=PostStatus.PENDING)
    Question.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2, hours=1))
    page = staff_client(moderator).get("/admin/")
    pending = section(page, "dash-pending")
    assert '<strong class="needs-action">2 — oldest waiting 2\xa0days' in pending


def test_overdue_questions_are_counted_against_the_answer_target(moderator, staff_client, resident, settings):
    settings.FORUM_ANSWER_TARGET_DAYS = 14
    late = make_question(resident, title="Late")
    make_question(resident, title="Recent")
    Question.objects.filter(pk=late.pk).update(created_at=timezone.now() - dt.timedelta(days=15))
    assert ">1 unanswered after 14 days" in section(staff_client(moderator).get("/admin/"), "dash-overdue")


def test_analysts_see_failed_runs_of_the_last_seven_days(analyst, staff_client, failed_run, memphis):
    old = ReportRun.objects.create(report=failed_run.report, status="failed", input_snapshot={}, input_hash="y" * 64)
    ReportRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    failed = section(staff_client(analyst).get("/admin/"), "dash-failed")
    assert failed.startswith('id="dash-failed"><strong class="needs-action">1</strong>')
    assert f"Run {failed_run.pk}" in failed and f"Run {old.pk}<" not in failed


def test_analysts_see_the_latest_published_report_per_facility(analyst, staff_client, published):
    latest = section(staff_client(analyst).get("/admin/"), "dash-latest")
    assert "Memphis" in latest and "v1" in latest and published.get_absolute_url() in latest


def test_the_dashboard_says_when_the_broker_and_a_worker_answer(analyst, staff_client):
    page = staff_client(analyst).get("/admin/")
    assert "answers" in section(page, "dash-broker")
    workers = section(page, "dash-workers")
    assert "celery queue: celery@web1, 4 s ago" in workers and "reports queue: celery@web2, 9 s ago" in workers


def test_the_dashboard_says_truthfully_when_no_worker_answered(analyst, staff_client, services_answer):
    services_answer.return_value = {**HEALTHY, "workers_ok": False, "queues": {
        "celery": {"ok": True, "detail": "celery@web1, 4 s ago"}, "reports": {"ok": False, "detail": "no worker has reported"}}}
    assert "<strong>no worker has reported</strong>" in section(staff_client(analyst).get("/admin/"), "dash-workers")


def test_the_dashboard_says_when_the_broker_is_down(analyst, staff_client, services_answer):
    services_answer.return_value = {**HEALTHY, "broker_ok": False, "broker_error": "OperationalError: refused"}
    assert "does not answer" in section(staff_client(analyst).get("/admin/"), "dash-broker")


def test_the_service_check_is_cached_so_the_index_stays_fast(analyst, staff_client, services_answer):
    client = staff_client(analyst)
    client.get("/admin/")
    client.get("/admin/")
    assert services_answer.call_count == 1


def test_each_role_sees_only_the_sections_it_can_act_on(moderator, analyst, staff_client):
    moderator_page = staff_client(moderator).get("/admin/").content.decode()
    analyst_page = staff_client(analyst).get("/admin/").content.decode()
    assert 'id="dash-pending"' in moderator_page and 'id="dash-failed"' not in moderator_page
    assert 'id="dash-failed"' in analyst_page and 'id="dash-pending"' not in analyst_page


def test_the_real_check_answers_within_a_few_seconds_whatever_the_broker(settings):
    health = dashboard.check_services()
    if settings.CELERY_BROKER_URL == "filesystem://":
        assert health["broker_ok"] is True  # a folder always "answers"
    assert health["broker_ok"] or health["broker_error"]
    assert set(health["queues"]) == {"celery", "reports"}
    assert all(isinstance(beat["detail"], str) for beat in health["queues"].values())


def test_with_redis_down_the_admin_index_still_answers_and_checks_the_services(administrator, staff_client, cache_down, services_answer):
    # Staff open the console to see what is wrong; a dead cache must not turn it into a 500.
    page = staff_client(administrator).get("/admin/")
    assert page.status_code == 200
    assert services_answer.called


# Issue 16: the overdue link lists exactly the overdue questions; counts that need action stand out.


def test_the_overdue_link_lists_exactly_the_overdue_questions(moderator, staff_client, resident, settings):
    settings.FORUM_ANSWER_TARGET_DAYS = 14
    late = make_question(resident, title="Late and unanswered")
    make_question(resident, title="Recent and unanswered")
    answered = make_question(resident, title="Late but answered", status=PostStatus.ANSWERED)
    Question.objects.filter(pk__in=[late.pk, answered.pk]).update(created_at=timezone.now() - dt.timedelta(days=15))
    client = staff_client(moderator)
    index = client.get("/admin/").content.decode()
    start = index.index("Overdue questions")
    href = index[index.rindex('href="', 0, start) + 6 : start].split('"')[0].replace("&amp;", "&")
    listing = client.get(href).content.decode()
    assert "Late and unanswered" in listing
    assert "Recent and unanswered" not in listing and "Late but answered" not in listing
    assert "1 question" in listing


def test_non_zero_counts_are_marked_in_words_and_zero_ones_are_not(moderator, staff_client, resident):
    make_question(resident, title="Waiting", status=PostStatus.PENDING)
    page = staff_client(moderator).get("/admin/")
    pending, flagged = section(page, "dash-pending"), section(page, "dash-flagged")
    assert "<strong" in pending and "needs action" in pending
    assert "<strong" not in flagged and "needs action" not in flagged


def test_the_moderation_queue_is_in_the_side_menu_for_moderators_only(moderator, analyst, staff_client):
    page = staff_client(moderator).get("/admin/forums/question/").content.decode()
    nav = page[page.index('id="nav-sidebar"'):]
    assert 'href="/forum/moderation/"' in nav[: nav.index("</nav>")]
    page = staff_client(analyst).get("/admin/").content.decode()
    assert 'href="/forum/moderation/"' not in page
