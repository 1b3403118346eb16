"""The Celery application. Configuration comes from Django settings (CELERY_* names).

Report runs go to their own queue (settings.IMPACT_REPORT_QUEUE) and everything else to the
default one, so a deployment can give each its own workers (docs/deploy.md); a worker started
without ``-Q`` consumes both. Every worker beats for the queues it consumes (portal.core.health).
"""

import os
import socket
import threading

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REPORT_TASKS = {"impact.compute_report_run"}


def route_task(name, args, kwargs, options, task=None, **kw):
    """CELERY_TASK_ROUTES: report runs to the reports' queue; the rest to the default queue."""
    from django.conf import settings

    if name in REPORT_TASKS:
        return {"queue": settings.IMPACT_REPORT_QUEUE}
    return None


_stop_beating = threading.Event()


@worker_ready.connect
def start_heartbeat(sender=None, **kwargs):
    """Beat for this worker's queues every HEARTBEAT_SECONDS until it shuts down (/healthz)."""
    from portal.core import health

    try:
        names = sorted(q.name for q in sender.task_consumer.queues)
    except AttributeError:
        names = health.queues()
    hostname = getattr(sender, "hostname", None) or socket.gethostname()

    def loop():
        while True:
            try:
                health.beat(names, hostname)
            except Exception:  # noqa: BLE001 - the cache is down: beat again next round
                pass
            if _stop_beating.wait(health.HEARTBEAT_SECONDS):
                return

    threading.Thread(target=loop, name="health-heartbeat", daemon=True).start()


@worker_shutdown.connect
def stop_heartbeat(**kwargs):
    _stop_beating.set()


@app.task(name="portal.ping")
def ping():
    """Answer 'pong': the admin dashboard and tests use it to see that a worker is alive."""
    return "pong"
