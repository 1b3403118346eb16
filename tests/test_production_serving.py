"""The site as deployed (issue 13): gunicorn with DEBUG off, static files through WhiteNoise after
collectstatic, the API docs from pinned local files, /healthz, and report runs on their own queue."""

import gzip
import json
import re
import time
from unittest import mock

import pytest
from django.core.cache import cache

from portal.celery import app, route_task
from portal.core import health

from .portal_process import PortalProcess, fetch

ONE_YEAR = 315360000  # WhiteNoise's max-age for hashed names (ten years, in fact)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """migrate + collectstatic + gunicorn (2 sync workers), DEBUG off, a SQLite file of its own."""
    portal = PortalProcess(tmp_path_factory.mktemp("deployed")).prepare().start()
    try:
        yield {"base": portal.base, "manage": portal.manage}
    finally:
        portal.stop()


def stylesheet_of(page):
    found = re.findall(r'<link[^>]+href="(/static/[^"]+\.css)"', page)
    assert found, "the page names its stylesheet"
    return found[0]


def test_pages_name_hashed_static_files_that_browsers_may_keep_for_a_year(deployed):
    status, _, body = fetch(deployed["base"], "/accounts/login/")
    assert status == 200
    css = stylesheet_of(body.decode())
    assert re.search(r"\.[0-9a-f]{12}\.css$", css), f"{css} has no content hash"
    status, headers, content = fetch(deployed["base"], css)
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert f"max-age={ONE_YEAR}" in headers["cache-control"] and "immutable" in headers["cache-control"]
    assert b"font" in content or b"color" in content, "the stylesheet itself, not an error page"
    _, zipped_headers, zipped = fetch(deployed["base"], css, headers={"Accept-Encoding": "gzip"})
    assert zipped_headers.get("content-encoding") == "gzip"
    assert gzip.decompress(zipped) == content
    assert len(zipped) < len(content)


def test_a_static_file_that_does_not_exist_is_a_404_not_a_500(deployed):
    assert fetch(deployed["base"], "/static/core/no-such-file.css")[0] == 404


def test_the_api_docs_load_redoc_from_this_site_only(deployed):
    status, headers, body = fetch(deployed["base"], "/api/docs/")
    assert status == 200
    page = body.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sources and all(src.startswith("/static/") for src in sources), sources
    assert "https://" not in headers["content-security-policy"], "no third-party origin is allowed, or needed"
    script = next(src for src in sources if src.endswith(".js"))
    assert "drf_spectacular_sidecar/redoc" in script
    status, js_headers, js = fetch(deployed["base"], script)
    assert status == 200 and "javascript" in js_headers["content-type"] and len(js) > 100_000, "Redoc's bundle"
    schema_status, _, schema = fetch(deployed["base"], "/api/schema/?format=json", headers={"Accept": "application/json"})
    assert schema_status == 200 and json.loads(schema)["openapi"].startswith("3.")


def test_healthz_is_503_until_a_worker_beats_on_both_queues_then_200(deployed):
    status, headers, body = fetch(deployed["base"], "/healthz")
    result = json.loads(body)
    assert status == 503 and result["ok"] is False
    assert result["database"] == {"ok": True, "detail": "sqlite"}
    assert result["broker"]["ok"] is True
    assert {q: b["detail"] for q, b in result["workers"]["detail"].items()} == {
        "celery": "no worker has reported", "reports": "no worker has reported"}
    assert "no-store" in headers["cache-control"]
    # What portal.celery's heartbeat thread does in a worker, written into the same cache.
    deployed["manage"]("shell", "-c", "from portal.core import health; health.beat(['celery'], 'celery@box1')")
    status, _, body = fetch(deployed["base"], "/healthz")
    assert status == 503 and json.loads(body)["workers"]["detail"]["reports"]["ok"] is False, "one queue has no worker"
    deployed["manage"]("shell", "-c", "from portal.core import health; health.beat(['reports'], 'celery@box2')")
    status, _, body = fetch(deployed["base"], "/healthz")
    assert status == 200, body
    assert json.loads(body)["workers"]["detail"]["reports"]["detail"].startswith("celery@box2, ")


def test_healthz_takes_only_get_and_head(deployed):
    assert fetch(deployed["base"], "/healthz", method="POST")[0] == 405
    assert fetch(deployed["base"], "/healthz", method="HEAD")[0] in (200, 503)


# --- In process ----------------------------------------------------------------------------------


def test_report_runs_go_to_the_reports_queue_and_everything_else_to_the_default(settings):
    assert route_task("impact.compute_report_run", (), {}, {}) == {"queue": "reports"}
    assert route_task("forums.deliver_notifications", (), {}, {}) is None
    settings.IMPACT_REPORT_QUEUE = "long-runs"
    assert route_task("impact.compute_report_run", (), {}, {}) == {"queue": "long-runs"}


def test_the_two_queues_have_routing_keys_of_their_own():
    """A message for one queue is never delivered to the other (a shared key would do that)."""
    keys = {queue.name: queue.routing_key for queue in app.conf.task_queues}
    assert keys == {"celery": "celery", "reports": "reports"}
    routed = app.amqp.router.route({}, "impact.compute_report_run")
    assert routed["queue"].name == "reports" and routed["queue"].routing_key == "reports"
    assert app.amqp.router.route({}, "forums.deliver_notifications")["queue"].name == "celery"


def test_a_heartbeat_older_than_a_minute_is_no_worker(db):
    cache.clear()
    now = time.time()
    health.beat(["celery", "reports"], "celery@old", now=now - health.STALE_SECONDS - 1)
    ok, detail = health.check_workers(now=now)
    assert ok is False
    assert "silent for more than 60 s" in detail["reports"]["detail"]
    health.beat(["celery", "reports"], "celery@new", now=now)
    assert health.check_workers(now=now) == (True, {
        "celery": {"ok": True, "detail": "celery@new, 0 s ago"}, "reports": {"ok": True, "detail": "celery@new, 0 s ago"}})


def test_healthz_says_which_check_failed_when_the_cache_or_the_database_is_down(client, db):
    with mock.patch.object(health, "last_heartbeat", side_effect=ConnectionError("Redis is down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert "heartbeats unreadable (ConnectionError: Redis is down)" in response.json()["workers"]["detail"]["celery"]["detail"]
    with mock.patch.object(health, "connection") as conn:
        conn.cursor.side_effect = RuntimeError("database went away")
        ok, detail = health.check_database()
    assert (ok, detail) == (False, "RuntimeError: database went away")
