"""The page cache (issue 13): public report pages rendered once per change, shared only between
anonymous visitors, validated with ETag / Last-Modified, and never the reason a page fails.
The forum's pages: tests/forums/test_page_cache.py."""

import logging
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from impact import figures, services
from portal.core import pagecache

PAGES = ["/", "/reports/", "/reports/test-hall/2024-07-01..2024-07-02/", "/reports/test-hall/2024-07-01..2024-07-02/v1/",
         "/methods/", "/feeds/reports.atom"]
LATEST = "/reports/test-hall/2024-07-01..2024-07-02/"


@pytest.fixture
def version(synthetic_run, analyst):
    """Version 1 of a synthetic report on Test Hall, published."""
    version, _ = services.publish_run(synthetic_run(), user=analyst)
    return version


@pytest.fixture
def correct(synthetic_run, analyst):
    """Publish a correction (the next version) of the synthetic report."""

    def _correct(note="Corrected the engine count."):
        version, _ = services.publish_run(synthetic_run(), user=analyst, changelog=note)
        return version

    return _correct


@pytest.mark.parametrize("url", PAGES)
def test_a_second_anonymous_visit_is_answered_from_the_cache_without_a_query(version, client, url, django_assert_num_queries):
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["ETag"] == first["ETag"]


@pytest.mark.parametrize("url", ["/", "/reports/", LATEST, "/feeds/reports.atom"])
def test_a_correction_shows_at_once_on_the_home_page_the_list_the_latest_url_and_the_feed(version, correct, client, url):
    assert "Corrected the engine count" not in client.get(url).content.decode()
    correct()
    after = client.get(url).content.decode()
    assert "v2" in after or "Version 2" in after or "Correction (v2)" in after
    if url in (LATEST, "/feeds/reports.atom"):
        assert "Corrected the engine count" in after


def test_the_old_version_page_says_it_is_superseded_once_corrected(version, correct, client):
    url = version.get_absolute_url()
    assert "superseded" not in client.get(url).content.decode()
    correct()
    assert "This version is superseded by" in client.get(url).content.decode()


def test_a_publish_that_commits_bumps_again_after_the_commit(version, synthetic_run, analyst, client,
                                                            django_capture_on_commit_callbacks):
    run = synthetic_run()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.publish_run(run, user=analyst, changelog="Second look.")
        during = pagecache.generation("reports")
    assert callbacks, "the bump after commit is queued"
    for callback in callbacks:
        callback()
    assert pagecache.generation("reports") != during, "a page rendered before the commit is not served after it"


def test_a_conditional_get_with_the_etag_is_a_304_without_a_body(version, client):
    first = client.get("/reports/")
    again = client.get("/reports/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_conditional_get_with_the_last_modified_date_is_a_304(version, client):
    first = client.get("/")
    assert first["Last-Modified"]
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_an_old_etag_gets_the_new_page_after_a_correction(version, correct, client):
    first = client.get("/reports/")
    correct()
    again = client.get("/reports/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]


def test_a_head_request_is_answered_from_the_cache_like_a_get(version, client, django_assert_num_queries):
    first = client.get("/")
    with django_assert_num_queries(0):
        head = client.head("/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == first["ETag"]


def test_a_head_request_first_stores_the_page_for_the_get(version, client, django_assert_num_queries):
    client.head("/reports/")
    with django_assert_num_queries(0):
        page = client.get("/reports/")
    assert "Published reports" in page.content.decode()


def test_shared_pages_say_how_long_a_browser_or_proxy_may_keep_them(version, client):
    latest = client.get(LATEST)
    assert "public" in latest["Cache-Control"] and "max-age=60" in latest["Cache-Control"]
    numbered = client.get(version.get_absolute_url())
    assert "max-age=300" in numbered["Cache-Control"]
    vary = {v.strip() for v in numbered["Vary"].split(",")}
    assert {"Cookie", "Accept-Language"} <= vary


def test_signed_in_visitors_get_their_own_page_and_never_the_shared_copy(version, resident, client):
    anonymous_page = client.get("/").content.decode()
    assert "Log in" in anonymous_page
    client.force_login(resident)
    mine = client.get("/")
    assert "Rosa P." in mine.content.decode() and "Log in" not in mine.content.decode()
    assert "private" in mine["Cache-Control"] and "public" not in mine["Cache-Control"]
    assert "Last-Modified" not in mine


def test_a_signed_in_page_is_never_stored_for_anonymous_visitors(version, resident, django_assert_num_queries):
    signed_in = Client()
    signed_in.force_login(resident)
    assert "Rosa P." in signed_in.get("/reports/").content.decode()
    anonymous = Client()
    page = anonymous.get("/reports/").content.decode()
    assert "Rosa P." not in page and "Log out" not in page
    with django_assert_num_queries(0):
        anonymous.get("/reports/")  # stored by the anonymous visit, not by the signed-in one


def test_a_visitor_with_a_session_or_messages_cookie_gets_a_fresh_render(version, client):
    client.get("/")
    for cookie in ("sessionid", "messages"):
        visitor = Client()
        visitor.cookies[cookie] = "something"
        response = visitor.get("/")
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]


def test_a_page_that_used_a_csrf_token_is_never_stored(db):
    renders = []

    def view(request):
        renders.append(1)
        return HttpResponse(engines["django"].from_string("<form>{% csrf_token %}</form>").render({}, request))

    cached = pagecache.cached_page("reports")(view)
    factory = RequestFactory()
    for _ in range(2):
        request = factory.get("/csrf-test/")
        request.user = AnonymousUser()
        response = cached(request)
        assert "private" in response["Cache-Control"]
    assert len(renders) == 2


def test_the_facility_page_gives_each_visitor_their_own_csrf_token(version):
    tokens = set()
    for _ in range(2):
        visitor = Client()
        page = visitor.get("/facilities/test-hall/").content.decode()
        tokens.add(visitor.cookies["csrftoken"].value)
        assert re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', page)
    assert len(tokens) == 2


def test_a_failing_cache_still_renders_every_page(version, cache_down, client, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.core.pagecache"):
        for url in PAGES:
            assert client.get(url).status_code == 200
            assert client.get(url).status_code == 200
    warnings = [r for r in caplog.records if r.name == "portal.core.pagecache"]
    assert len(warnings) == 1, "one warning per outage, not one per request"


def test_the_cache_is_used_again_once_it_is_back(version, cache_down, client, monkeypatch, django_assert_num_queries):
    client.get("/")
    cache_down.down = False
    monkeypatch.setattr(pagecache, "RETRY_SECONDS", 0)
    monkeypatch.setattr(pagecache.outage, "retry_at", 0.0)
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_each_query_string_and_release_has_its_own_copy(version, client, settings):
    client.get("/reports/")
    assert client.get("/reports/?facility=nowhere").content != client.get("/reports/").content
    settings.PAGE_CACHE_RELEASE = "next-release"
    with CaptureQueriesContext(connection) as queries:
        client.get("/reports/")
    assert len(queries) > 0, "a new release renders the page again"


def test_the_cache_can_be_switched_off(version, client, settings):
    settings.PAGE_CACHE_ENABLED = False
    client.get("/")
    response = client.get("/")
    assert "ETag" not in response and response.status_code == 200


def test_published_downloads_and_charts_answer_a_conditional_get_with_304(version, client):
    run_id = version.run_id
    download = client.get(f"/reports/downloads/{run_id}.csv")
    assert client.get(f"/reports/downloads/{run_id}.csv", HTTP_IF_NONE_MATCH=download["ETag"]).status_code == 304
    chart_key = version.run.charts.values_list("key", flat=True).exclude(key__in=figures.STAFF_CHART_KEYS).first()
    chart = client.get(f"/reports/charts/{run_id}/{chart_key}.png")
    assert chart.status_code == 200
    assert client.get(f"/reports/charts/{run_id}/{chart_key}.png", HTTP_IF_MODIFIED_SINCE=chart["Last-Modified"]).status_code == 304


def test_the_api_answers_a_conditional_get_of_a_published_version(version, client):
    first = client.get(f"/api/v1/report-versions/{version.pk}/")
    assert first.status_code == 200 and first["ETag"]
    assert client.get(f"/api/v1/report-versions/{version.pk}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
