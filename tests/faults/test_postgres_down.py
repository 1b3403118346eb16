"""PostgreSQL stopped for 20 s under a running site and a worker in the middle of a report.

While it is down every page is the site's own 503 with Retry-After (never a bare 500, a Django
traceback or a dropped connection); once it is back the same web server answers 200 and the
report is finished by the same worker, with nothing restarted.
"""

import collections
import re
import time

import pytest

from .conftest import OUTAGE_PAGE, fetch, wait_for

pytestmark = pytest.mark.services

OUTAGE_SECONDS = 20
PAGES = ["/", "/reports/", "/facilities/memphis-supercluster/", "/forum/", "/api/v1/facilities/"]


def answer(portal, method, path, **kwargs):
    try:
        if method == "POST":
            return portal.post(path, kwargs.pop("fields"), **kwargs)
        return portal.get(path, **kwargs)
    except OSError as exc:  # refused, reset or timed out: what the site must never do
        return type(exc).__name__, {}, ""


def is_outage_answer(path, status, headers, body):
    if status != 503 or not headers.get("retry-after", "").isdigit():
        return False
    if path.startswith("/api/"):
        return headers.get("content-type", "").startswith("application/json") and '"detail"' in body
    return OUTAGE_PAGE in body and 'class="site-header"' in body and "Traceback" not in body


def test_postgres_stopped_for_20_seconds_gives_503s_then_the_site_and_the_run_recover(portal):
    worker = portal.worker("pg-worker")
    # A second web process that nobody visits during the outage: its kept connection is stale after it.
    _, quiet_port = portal.single_thread_server("quiet-web")
    web_pid, beat_pid = portal.web.pid, portal.beat.pid
    run_id = portal.request_report("2024", samples=1004)
    wait_for(lambda: portal.run(run_id)["status"] == "running", 60,
             lambda: f"run {run_id} never started: {portal.run(run_id)}\n{worker.tail()}", every=0.1)
    time.sleep(1.0)  # the worker is inside the engine when the database goes

    portal.postgres.stop("fast")
    down_at = time.monotonic()
    during = []
    while time.monotonic() - down_at < OUTAGE_SECONDS:
        for path in PAGES:
            during.append((path, *answer(portal, "GET", path)))
        during.append(("/forum/ask/ (POST)", *answer(portal, "POST", "/forum/ask/", session=portal.seed["staff"], fields={
            "title": "Asked while the database was down", "body": "Is it saved?", "topic": "energy", "website": ""})))
        time.sleep(0.3)
    outage = time.monotonic() - down_at
    portal.postgres.start()
    up_at = time.monotonic()

    def all_pages_answer():
        return all(answer(portal, "GET", path)[0] == 200 for path in PAGES)

    quiet_after = [fetch(quiet_port, "GET", path)[0] for path in PAGES]
    wait_for(all_pages_answer, 30, lambda: f"the site did not come back\n{portal.web.tail()}", every=0.2)
    site_back = time.monotonic() - up_at
    after = [(path, answer(portal, "GET", path)[0]) for _ in range(3) for path in PAGES]

    run = wait_for(lambda: (r := portal.run(run_id))["status"] in ("succeeded", "failed") and r, 120,
                   lambda: f"run {run_id} did not finish: {portal.run(run_id)}\n{portal.diagnostics()}", every=0.5)
    run_back = time.monotonic() - up_at

    statuses = collections.Counter(str(status) for _, status, _, _ in during)
    bad = [(path, status, body[:300]) for path, status, headers, body in during
           if not is_outage_answer(path.split(" ")[0], status, headers, body)]
    assert not bad, f"{len(bad)} of {len(during)} answers were not the outage page: {bad[:3]}\n{statuses}"
    assert len(during) >= 40
    assert all(status == 200 for _, status in after), after
    assert quiet_after == [200] * len(PAGES), "a web process idle during the outage answers at once after it"
    assert run["status"] == "succeeded", f"{run}\n{portal.diagnostics()}"
    # The outage reached the run mid-flight. What follows depends on where the engine was: the
    # attempt hands the run back and the task retries, or the sweeper requeues it once its lease
    # has run out, or (engine still busy when the database returns) the attempt renews its lease.
    assert re.search(rf"run {run_id}: (could not renew the lease|database unavailable)", worker.output())
    rows = portal.result_rows(run_id)
    assert rows["series"] == (366 * 24, 366 * 24) and all(count == distinct for count, distinct in rows.values()), rows
    assert not portal.postgres.query("select 1 from forums_question where title = 'Asked while the database was down'")
    assert worker.alive() and portal.web.alive() and portal.beat.alive(), "nothing was restarted"
    assert (portal.web.pid, portal.beat.pid) == (web_pid, beat_pid)
    retried = len(re.findall(r"compute_report_run\[[^]]+\] retry: Retry in", worker.output()))
    print(f"\nPostgreSQL down {outage:.1f} s: {dict(statuses)} over {len(during)} requests; pages 200 again "
          f"{site_back:.1f} s after it returned; run done {run_back:.1f} s after, attempts {run['attempts']}, "
          f"task retried {retried} times; rows {rows}")
