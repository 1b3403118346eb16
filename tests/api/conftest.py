"""Fixtures for the data-export tests: a computed, published Memphis report and API clients.

Computing a report takes seconds, so a test module computes one inside an outer transaction (like
Django's setUpTestData) that is rolled back when the module ends; every test then runs in its own
savepoint on top of it. The fixture skips drawing charts (the API serves none) to save time.
"""

import contextlib
import csv
import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from impact import services
from impact.models import ReportMetric, ReportRun, ReportVersion, SeriesPoint
from impact.seed import load_memphis
from portal.accounts.models import ApiToken

PERIOD = "2024-07-01..2024-07-02"  # two days: 48 hourly points, enough to page through
DRAFT_PERIOD = "2024-08-01..2024-08-01"


@dataclass
class Published:
    facility: object
    run: ReportRun
    version: ReportVersion
    draft: ReportRun  # a succeeded run of another period, never published


@contextlib.contextmanager
def module_transaction(django_db_blocker):
    """Rows made inside stay for the module's tests and vanish with it."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield
            transaction.set_rollback(True)


def compute(facility, period):
    """request_report() then the worker's own function, synchronously, without charts."""
    run = services.request_report(facility, period, samples=20)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services.charts, "report_charts", lambda *args, **kwargs: [])
        services.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.SUCCEEDED, run.error
    return run


def copy_as_draft(run, facility):
    """A second succeeded run (one day, copied from ``run``) that stays unpublished."""
    draft = services.request_report(facility, DRAFT_PERIOD, samples=20)
    ReportMetric.objects.bulk_create(
        ReportMetric(run=draft, scenario=m.scenario, key=m.key, label=m.label, unit=m.unit, value=m.value,
                     p5=m.p5, p50=m.p50, p95=m.p95, order=m.order)
        for m in run.metrics.all()
    )
    shift = dt.timedelta(days=31)
    SeriesPoint.objects.bulk_create(
        SeriesPoint(run=draft, timestamp=p.timestamp + shift, values=p.values) for p in run.points.order_by("timestamp")[:24]
    )
    now = timezone.now()
    ReportRun.objects.filter(pk=draft.pk).update(
        status=ReportRun.Status.SUCCEEDED, stage=ReportRun.Stage.DONE, series_columns=run.series_columns,
        summary=run.summary, started_at=now, finished_at=now,
    )
    draft.refresh_from_db()
    return draft


@pytest.fixture(scope="module")
def memphis(django_db_setup, django_db_blocker):
    """The seeded Memphis facility with its inputs, sources and scenarios, but no reports."""
    with module_transaction(django_db_blocker):
        facility, _ = load_memphis()
        yield facility


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        facility, _ = load_memphis()
        run = compute(facility, PERIOD)
        version, _ = services.publish_run(run)
        yield Published(facility=facility, run=run, version=version, draft=copy_as_draft(run, facility))


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters live in the cache: start every test with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(db):
    """An anonymous API client."""
    return APIClient()


def issue_token(user, scopes=None, days=90):
    """A scoped API token for ``user`` (all of the user's permissions unless ``scopes``); returns its key."""
    _, key = ApiToken.objects.issue(user, "test script", scopes or sorted(user.get_all_permissions()), days=days)
    return key


def token_client(key):
    """An API client that sends ``key`` as its scoped token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def staff_token(analyst):
    """The key of an analyst's token scoped to everything the analyst role may do."""
    return issue_token(analyst)


@pytest.fixture
def staff_api(staff_token):
    """An API client authenticated with a staff member's scoped token."""
    return token_client(staff_token)


@pytest.fixture
def resident_api(resident):
    """A signed-in resident (a session: a resident holds no permission a token could name)."""
    client = APIClient()
    client.force_login(resident)
    return client


@pytest.fixture
def csv_rows():
    """Read a CSV response (streamed or not) as a list of rows."""

    def read(response):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return list(csv.reader(io.StringIO(body.decode("utf-8"))))

    return read
