"""The real path: a run goes through the broker to a separate Celery worker process and back.

Mandatory in CI (CI=true): there it runs on PostgreSQL + Redis and again on SQLite with the
filesystem broker. On a laptop it skips only if a configured service cannot be reached.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from impact import services
from impact.models import ReportRun, SeriesPoint

from ..conftest import need_service

ROOT = Path(__file__).resolve().parents[2]


def database_url_for_worker():
    """The URL of the database the tests are using right now (the test database, not the real one)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def check_broker():
    if django_settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(django_settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            need_service(f"Redis at {django_settings.REDIS_URL} is not reachable: {exc}")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_run_sent_through_the_broker_is_computed_by_a_real_worker(memphis, settings):
    check_broker()
    # A queue of our own, so the worker takes only this test's message.
    queue = f"test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = settings.IMPACT_REPORT_QUEUE = queue
    env = {**os.environ, "DATABASE_URL": database_url_for_worker(), "CELERY_TASK_ALWAYS_EAGER": "false"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        run = services.request_report(memphis, "2024-07-01..2024-07-01", samples=10)
        deadline = time.monotonic() + 120
        while run.is_active and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
            run.refresh_from_db()
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert run.status == ReportRun.Status.SUCCEEDED, f"run is {run.status}: {run.error}\n--- worker output ---\n{output[-3000:]}"
    assert SeriesPoint.objects.filter(run=run).count() == 24
    assert run.charts.count() >= 3
    assert "impact.compute_report_run" in output
