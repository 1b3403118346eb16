"""With Redis down, signing in and the API still answer, and their limits still hold in the process.

The login lockout and the API's anonymous throttle count in the shared cache. When it fails they
count in process memory (portal.core.ratelimit's fallback), log once, and never answer a 500.
"""

import logging

import pytest
from django.test import Client
from rest_framework.test import APIClient

from .test_login import PASSWORD, log_in


def test_with_redis_down_a_resident_still_signs_in(cache_down, resident, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING, logger="portal.core.ratelimit"):
        response = log_in(client, "rosa", PASSWORD)
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200
    assert [r for r in caplog.records if "rate-limit cache unavailable" in r.getMessage()]


def test_with_redis_down_failed_logins_still_lock_the_account_in_this_process(cache_down, resident, settings):
    settings.ACCOUNT_LOGIN_FAILURES = 3
    client = Client(raise_request_exception=False)
    statuses = [log_in(client, "rosa", "wrong").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = log_in(client, "rosa", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()


def test_when_redis_returns_the_lockout_counts_there_again(cache_down, resident, settings):
    settings.ACCOUNT_LOGIN_FAILURES = 2
    client = Client(raise_request_exception=False)
    log_in(client, "rosa", "wrong")
    cache_down.down = False
    # Counted afresh in Redis: one failure there is not yet a lock.
    log_in(client, "rosa", "wrong")
    assert log_in(client, "rosa", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_with_redis_down_the_api_answers_and_still_throttles_anonymous_clients(cache_down, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    api = APIClient(raise_request_exception=False)
    statuses = [api.get("/api/v1/facilities/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
