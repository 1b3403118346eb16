"""Is this deployment able to serve? The database, the broker and a worker per queue.

Used by ``/healthz`` (load balancers, uptime checks) and the staff dashboard. Each check answers
``(ok, detail)`` in about a second at most and never raises.

Workers say they are alive by a heartbeat, not by answering a broadcast ping (the filesystem
broker of a laptop has no broadcast): every worker writes, for each queue it consumes, the time
and its host name into the default cache every ``HEARTBEAT_SECONDS`` (``portal.celery`` starts
that thread when the worker is ready). A queue whose last beat is older than ``STALE_SECONDS``
has no worker: runs sent there would wait.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

HEARTBEAT_SECONDS = 15
STALE_SECONDS = 60
_KEY = "health:worker:{queue}"


def queues():
    """The queues a deployment must have a worker on: the default one and the reports' one."""
    return sorted({settings.CELERY_TASK_DEFAULT_QUEUE, settings.IMPACT_REPORT_QUEUE})


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # noqa: BLE001 - any failure means "the database did not answer"
        return False, _reason(exc)


def check_broker():
    """A connection to the broker, made now, one retry at most."""
    from celery import current_app  # the project's app (portal.celery), without importing portal

    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=1)
        return True, settings.CELERY_BROKER_URL.split("://")[0]
    except Exception as exc:  # noqa: BLE001 - any failure means "the broker did not answer"
        return False, _reason(exc)


def beat(queue_names, hostname, now=None):
    """Record that ``hostname`` consumes ``queue_names`` now (called by the worker's heartbeat)."""
    stamp = {"at": now if now is not None else time.time(), "host": hostname}
    for queue in queue_names:
        cache.set(_KEY.format(queue=queue), stamp, STALE_SECONDS * 10)


def last_heartbeat(queue):
    """``{"at": epoch seconds, "host": …}`` of the last worker beat on ``queue``, or None."""
    return cache.get(_KEY.format(queue=queue))


def check_workers(now=None):
    """(ok, {queue: {"ok": bool, "detail": str}}): ok when every queue had a beat within STALE_SECONDS."""
    now = now if now is not None else time.time()
    details = {}
    for queue in queues():
        try:
            stamp = last_heartbeat(queue)
        except Exception as exc:  # noqa: BLE001 - the cache is down: no beat can be read
            details[queue] = {"ok": False, "detail": f"heartbeats unreadable ({_reason(exc)})"}
            continue
        if stamp is None:
            details[queue] = {"ok": False, "detail": "no worker has reported"}
            continue
        age = max(0.0, now - stamp["at"])
        fresh = age <= STALE_SECONDS
        details[queue] = {"ok": fresh, "detail": f"{stamp['host']}, {age:.0f} s ago"
                          + ("" if fresh else f" (silent for more than {STALE_SECONDS} s)")}
    return all(d["ok"] for d in details.values()), details


def report():
    """Every check: ``{"ok": bool, "database": {...}, "broker": {...}, "workers": {...}}``."""
    checks = {}
    for name, check in (("database", check_database), ("broker", check_broker), ("workers", check_workers)):
        ok, detail = check()
        checks[name] = {"ok": ok, "detail": detail}
    return {"ok": all(c["ok"] for c in checks.values()), **checks}


def _reason(exc):
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
