"""Queries bounded (issue 13): every public page and API list runs as many queries for a few rows
as for many (questions, replies, versions, series points, meetings), rendered without the page cache."""

import datetime as dt
import itertools
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from impact import services as impact_services
from impact.models import Report, ReportMetric, ReportRun, ReportVersion, SeriesPoint
from portal.forums import meetings as meeting_services
from portal.forums.models import Answer, DocketItem, Meeting, PostStatus, Question, Reply

from .conftest import make_user

FEW, MANY = 2, 7
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def uncached(settings, monkeypatch):
    """Render every request (the page cache would answer the second with no query at all), with
    cheap password hashing and rate limits counted under this test's own prefix."""
    from portal.core import ratelimit

    settings.PAGE_CACHE_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"test-{uuid.uuid4().hex}")


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def assert_constant(client, urls, grow):
    """The query count of each URL at FEW rows equals the count at MANY; ``grow(n)`` makes n rows in all."""
    grow(FEW)
    few = {url: queries(client, url) for url in urls}
    grow(MANY)
    many = {url: queries(client, url) for url in urls}
    assert many == few, f"queries grew with the rows: {few} → {many}"
    return few


def person():
    n = next(_seq)
    return make_user(f"person{n}", display_name=f"Person {n}")


# --- Reports ----------------------------------------------------------------------------------


@pytest.fixture
def site(synthetic_run, analyst):
    """A published synthetic report on Test Hall (charts, metrics, 48 hours of series)."""
    version, _ = impact_services.publish_run(synthetic_run(), user=analyst)
    return version


def bare_version(report, number, *, points=0, metrics=("energy_facility_mwh", "co2e_total_t")):
    """A published version of a run with a few metrics and ``points`` hours of series, made directly."""
    run = ReportRun.objects.create(report=report, status="succeeded", input_snapshot={}, input_hash=f"{next(_seq):064d}",
                                   finished_at=timezone.now())
    ReportMetric.objects.bulk_create(
        ReportMetric(run=run, key=key, label=key, unit="t", value=1.0 + i, order=i) for i, key in enumerate(metrics)
    )
    start = dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc)
    SeriesPoint.objects.bulk_create(
        SeriesPoint(run=run, timestamp=start + dt.timedelta(hours=h), values={"grid_mw": 8.0}) for h in range(points)
    )
    return ReportVersion.objects.create(report=report, number=number, run=run, published_at=timezone.now(),
                                        changelog=f"Correction {number}." if number > 1 else "")


def more_reports(facility):
    """grow(n): n more monthly reports of the facility in all, each with one published version."""
    made = []

    def grow(n):
        while len(made) < n:
            month = len(made) + 1
            report = Report.objects.create(facility=facility, period_kind="month", period=f"2023-{month:02d}",
                                           start_date=dt.date(2023, month, 1), end_date=dt.date(2023, month + 1, 1))
            made.append(bare_version(report, 1))

    return grow


def test_report_pages_and_the_feed_query_the_same_for_few_or_many_reports(site, client):
    facility = site.report.facility
    urls = ["/", "/reports/", f"/facilities/{facility.slug}/", "/feeds/reports.atom", "/methods/", "/glossary/",
            "/api/v1/reports/", "/api/v1/report-versions/", "/api/v1/facilities/", "/api/v1/report-metrics/"]
    assert_constant(client, urls, more_reports(facility))


def test_a_report_version_page_queries_the_same_for_few_or_many_versions(site, client):
    made = [site]

    def grow(n):
        while len(made) < n:
            made.append(bare_version(site.report, len(made) + 1))

    urls = [site.get_absolute_url(), site.report.get_absolute_url(), f"/api/v1/report-versions/{site.pk}/"]
    assert_constant(client, urls, grow)


def test_the_series_api_queries_the_same_for_few_or_many_hours(db, client):
    from impact.models import Facility

    facility = Facility.objects.create(name="Series Hall", slug="series-hall", location="Memphis, TN", operator="Tester")
    versions = {}

    def grow(n):
        report = Report.objects.create(facility=facility, period_kind="custom", period=f"2024-07-01..2024-07-{n + 1:02d}",
                                       start_date=dt.date(2024, 7, 1), end_date=dt.date(2024, 7, n + 1))
        versions["now"] = bare_version(report, 1, points=24 * n)

    grow_and_measure = []

    def measure(n):
        grow(n)
        version = versions["now"]
        return {kind: queries(client, f"/api/v1/series-points/?version={version.pk}{suffix}")
                for kind, suffix in (("json", ""), ("csv", "&format=csv"))}

    grow_and_measure.append(measure(FEW))
    grow_and_measure.append(measure(MANY))
    assert grow_and_measure[0] == grow_and_measure[1]


# --- Forum ------------------------------------------------------------------------------------


@pytest.fixture
def facility(db):
    from impact.models import Facility

    return Facility.objects.create(name="Forum Hall", slug="forum-hall", location="Memphis, TN", operator="Tester")


def published_question(author, *, meeting=None, topic="energy", answered_by=None):
    now = timezone.now()
    question = Question.objects.create(
        author=author, title=f"Question {next(_seq)} about the turbines", body="Details.", body_html="<p>Details.</p>",
        topic=topic, status=PostStatus.ANSWERED if answered_by else PostStatus.PUBLISHED, published_at=now,
        meeting=meeting, answered_at=now if answered_by else None,
    )
    if answered_by:
        Answer.objects.create(question=question, author=answered_by, body="Answer.", body_html="<p>Answer.</p>")
    return question


def test_the_forum_list_feeds_stats_and_api_query_the_same_for_few_or_many_questions(facility, client):
    staff = person()
    meeting = Meeting.objects.create(facility=facility, title="Forum", starts_at=timezone.now() + dt.timedelta(days=9))
    made = []

    def grow(n):
        while len(made) < n:
            made.append(published_question(person(), meeting=meeting))
            made.append(published_question(person(), answered_by=staff))

    urls = ["/forum/", "/forum/?state=answered&sort=votes", "/feeds/answers.atom", "/feeds/topics/energy.atom",
            "/forum/stats/", "/forum/moderation/report/", "/forum/search/?q=turbines", "/api/v1/questions/"]
    assert_constant(client, urls, grow)


def test_a_question_page_queries_the_same_for_few_or_many_replies(facility, client):
    question = published_question(person())
    for n in range(2):
        DocketItem.objects.create(
            meeting=Meeting.objects.create(facility=facility, title=f"Forum {n}", starts_at=timezone.now()),
            question=question, position=1,
        )

    def grow(n):
        while question.replies.count() < n:
            Reply.objects.create(question=question, author=person(), body="Same.", body_html="<p>Same.</p>",
                                 status=PostStatus.PUBLISHED, published_at=timezone.now())

    assert_constant(client, [question.get_absolute_url()], grow)


def test_meeting_pages_and_api_query_the_same_for_few_or_many_meetings_and_questions(facility, client):
    open_meeting = Meeting.objects.create(facility=facility, title="Open forum", starts_at=timezone.now() + dt.timedelta(days=30))
    frozen = Meeting.objects.create(facility=facility, title="Frozen forum", starts_at=timezone.now() + dt.timedelta(days=1))
    meetings, submitted = [], []

    def grow(n):
        while len(meetings) < n:
            start = timezone.now() + dt.timedelta(days=len(meetings) - 3)  # some past, some upcoming
            meetings.append(Meeting.objects.create(facility=facility, title=f"Forum {len(meetings)}", starts_at=start))
        while len(submitted) < n:
            submitted.append(published_question(person(), meeting=open_meeting))
            published_question(person(), meeting=frozen)
        DocketItem.objects.filter(meeting=frozen).delete()
        Meeting.objects.filter(pk=frozen.pk).update(docket_frozen_at=None)
        frozen.refresh_from_db()
        meeting_services.freeze_docket(frozen)

    urls = ["/forum/meetings/", open_meeting.get_absolute_url(), frozen.get_absolute_url(),
            f"{frozen.get_absolute_url()}meeting.ics", "/api/v1/meetings/"]
    assert_constant(client, urls, grow)
