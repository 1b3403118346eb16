"""Clean failure pages: a templated 500, a 503 with Retry-After when the database is unreachable
(JSON under /api/), and a 404 page, all with DEBUG off as in production (issue 11)."""

import logging

import pytest
from django.db import OperationalError, connection
from django.test import Client


@pytest.fixture
def visitor(settings):
    """A browser with production error handling: no debug pages, exceptions become responses."""
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.error_urls"
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_an_unreachable_database_gets_a_503_page_with_retry_after(visitor):
    response = visitor.get("/boom/database/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "back in a moment" in body and "30 seconds" in body
    assert "Community Impact Portal" in body and "core/site.css" in body, "the site's look"
    assert "10.0.0.5" not in body, "no connection details for the public"


@pytest.mark.django_db
def test_a_lost_connection_gets_the_503_page_too(visitor):
    response = visitor.get("/boom/connection/")
    assert response.status_code == 503 and response["Retry-After"] == "30"


@pytest.mark.django_db
def test_api_clients_get_the_503_as_json(visitor):
    response = visitor.get("/api/boom/database/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"detail": "The database cannot be reached just now; try again shortly."}


@pytest.mark.django_db
def test_a_bug_gets_the_templated_500_page(visitor):
    response = visitor.get("/boom/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    body = response.content.decode()
    assert "Something went wrong on our side" in body and "core/site.css" in body
    assert "ZeroDivisionError" not in body


@pytest.mark.django_db
def test_api_clients_get_the_500_as_json(visitor):
    response = visitor.get("/api/boom/bug/")
    assert response.status_code == 500
    assert "detail" in response.json()


@pytest.mark.django_db
def test_a_signed_in_resident_gets_the_503_when_the_database_goes_away_mid_session(visitor, resident, monkeypatch):
    """The session lookup itself fails (before any view): still the 503 page, rendered without the database."""
    visitor.force_login(resident)

    def refuse(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    monkeypatch.setattr(connection, "connection", None)
    response = visitor.get("/forum/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"back in a moment" in response.content


@pytest.mark.django_db
def test_an_unknown_address_gets_the_sites_404_page(visitor):
    response = visitor.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and 'href="/forum/"' in body


@pytest.mark.django_db
def test_an_unknown_api_address_gets_a_json_404(visitor):
    response = visitor.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_an_outage_logs_one_traceback_not_one_per_request(visitor, caplog, monkeypatch):
    from portal.core.errors import OneTracebackPerOutage

    assert any(isinstance(f, OneTracebackPerOutage) for f in logging.getLogger("django.request").filters), \
        "settings.LOGGING puts the filter on django.request"
    monkeypatch.setattr(OneTracebackPerOutage, "_last", None)
    monkeypatch.setattr(OneTracebackPerOutage, "_dropped", 0)
    with caplog.at_level("ERROR", logger="django.request"):
        statuses = [visitor.get("/boom/database/").status_code for _ in range(20)]
        assert visitor.get("/boom/bug/").status_code == 500
    assert statuses == [503] * 20
    database = [r for r in caplog.records if r.name == "django.request" and r.exc_info and isinstance(r.exc_info[1], OperationalError)]
    assert len(database) == 1, "the first of the outage, with its traceback"
    bugs = [r for r in caplog.records if r.name == "django.request" and r.exc_info and not isinstance(r.exc_info[1], OperationalError)]
    assert len(bugs) == 1, "a real bug is always logged"
    monkeypatch.setattr(OneTracebackPerOutage, "_last", OneTracebackPerOutage._last - OneTracebackPerOutage.INTERVAL_SECONDS)
    caplog.clear()
    with caplog.at_level("ERROR", logger="django.request"):
        visitor.get("/boom/database/")
    assert "19 more requests failed on the database" in caplog.records[0].getMessage()


@pytest.mark.django_db
def test_logging_set_up_twice_still_logs_the_first_traceback_of_an_outage(visitor, caplog, monkeypatch):
    """A second copy of the filter (logging configured again) must not drop what the first let through."""
    from portal.core.errors import OneTracebackPerOutage

    monkeypatch.setattr(OneTracebackPerOutage, "_last", None)
    extra = OneTracebackPerOutage()
    logger = logging.getLogger("django.request")
    logger.addFilter(extra)
    try:
        with caplog.at_level("ERROR", logger="django.request"):
            for _ in range(3):
                visitor.get("/boom/database/")
    finally:
        logger.removeFilter(extra)
    assert len([r for r in caplog.records if r.name == "django.request"]) == 1
