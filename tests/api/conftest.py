"""Fixtures for the data-export tests: a computed, published Memphis report and API clients.

Computing a report takes a few seconds, so each test module computes one inside an outer
transaction (like Django's setUpTestData) that is rolled back when the module ends; every test
then runs in its own savepoint on top of it.
"""

import csv
import io
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from impact import services
from impact.models import ReportRun, ReportVersion
from impact.seed import load_memphis

PERIOD = "2024-07-01..2024-07-02"  # two days: 48 hourly points, enough to page through


@dataclass
class Published:
    facility: object
    run: ReportRun
    version: ReportVersion
    draft: ReportRun  # a succeeded run of another period, never published


def compute(facility, period):
    """request_report() then the worker's own function, synchronously."""
    run = services.request_report(facility, period, samples=20)
    services.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.SUCCEEDED, run.error
    return run


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            facility, _ = load_memphis()
            run = compute(facility, PERIOD)
            version, _ = services.publish_run(run)
            draft = compute(facility, "2024-08-01..2024-08-01")
            yield Published(facility=facility, run=run, version=version, draft=draft)
            transaction.set_rollback(True)


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


@pytest.fixture
def staff_token(analyst):
    return Token.objects.create(user=analyst)


@pytest.fixture
def staff_api(staff_token):
    """An API client authenticated with a staff member's token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token.key}")
    return client


@pytest.fixture
def resident_api(resident):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=resident).key}")
    return client


@pytest.fixture
def csv_rows():
    """Read a CSV response (streamed or not) as a list of rows."""

    def read(response):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return list(csv.reader(io.StringIO(body.decode("utf-8"))))

    return read
