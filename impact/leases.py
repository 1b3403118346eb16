"""Leases that make every report run finish.

A worker that claims a run takes a lease on it: a token and an expiry time, renewed by a
heartbeat thread while the engine computes. Whatever stops the worker — kill -9, a lost
database connection, a message the broker never delivered — the lease runs out, and
:func:`sweep` (Celery beat, every minute; ``serve`` at start-up) hands the run back to the queue
or, after ``IMPACT_RUN_MAX_ATTEMPTS`` claims, marks it failed with the reason. Results are saved
only by the holder of the current token, so a run reclaimed from a worker that was merely slow is
still saved exactly once.
"""

import contextlib
import logging
import threading
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import F, Q
from django.utils import timezone

from impact.models import ReportRun

log = logging.getLogger(__name__)


def lease_seconds():
    return settings.IMPACT_RUN_LEASE_SECONDS


def new_token():
    return uuid.uuid4().hex


class LeaseLost(RuntimeError):
    """The run was handed to another worker while this one computed it; results are discarded."""


def claim(run_id):
    """Claim a pending run; return its lease token, or None when it is not pending (another
    worker has it, it is finished, or a message was delivered twice). A run already claimed
    IMPACT_RUN_MAX_ATTEMPTS times is failed instead of claimed again."""
    token = new_token()
    now = timezone.now()
    limit = settings.IMPACT_RUN_MAX_ATTEMPTS
    spent = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.PENDING, attempts__gte=limit)
    if spent.update(status=ReportRun.Status.FAILED, error=_give_up_message(limit), finished_at=now):
        return None
    claimed = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.PENDING).update(
        status=ReportRun.Status.RUNNING,
        stage=ReportRun.Stage.COMPUTING,
        started_at=now,
        lease_token=token,
        lease_expires_at=now + timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
    )
    return token if claimed else None


def held(run_id, token):
    """The queryset that matches the run only while ``token`` still holds its lease."""
    return ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING, lease_token=token)


def release(run_id, token, reason):
    """Hand a run back to the queue (the database went away mid-run); True if it was ours."""
    return bool(held(run_id, token).update(
        status=ReportRun.Status.PENDING, stage=ReportRun.Stage.QUEUED, lease_token="", lease_expires_at=None,
        error=reason,
    ))


def heartbeat(run_id, token):
    """A :class:`Heartbeat` for a worker; a do-nothing context where tasks run eagerly (in the
    caller's own process and transaction, where nothing can kill the worker separately)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return contextlib.nullcontext()
    return Heartbeat(run_id, token)


def renew(run_id, token):
    """Push the lease out by another lease period; False when the lease was lost."""
    return bool(held(run_id, token).update(lease_expires_at=timezone.now() + timedelta(seconds=lease_seconds())))


class Heartbeat:
    """Renews a run's lease every quarter lease period from a background thread.

    The thread has its own database connection and closes it when it stops. A failed renewal is
    only logged: if the database is gone the lease simply runs out and the sweeper takes over.
    """

    def __init__(self, run_id, token):
        self.run_id = run_id
        self.token = token
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{run_id}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        return False

    def _beat(self):
        interval = max(lease_seconds() / 4.0, 0.05)
        try:
            while not self._stop.wait(interval):
                try:
                    if not renew(self.run_id, self.token):
                        log.warning("run %s: lease lost to another worker; its results will be discarded", self.run_id)
                        return
                except DatabaseError as exc:
                    log.warning("run %s: could not renew the lease (%s)", self.run_id, exc)
                    close_old_connections()
        finally:
            connection.close()


def with_fresh_connection(action, tries=5, first_wait=0.5):
    """Run ``action()``; on a database error close the (possibly dead) connection, wait and try
    again with a new one. Returns the action's result, or raises the last error."""
    wait = first_wait
    for attempt in range(tries):
        try:
            return action()
        except DatabaseError:
            connection.close()
            if attempt == tries - 1:
                raise
            time.sleep(wait)
            wait *= 2
    return None


def dispatch(run_id):
    """Send the run's message to the broker now; a broker that is down is logged, not raised
    (the sweeper sends it again). Returns True when the message was handed over."""
    from impact.tasks import compute_report_run

    try:
        compute_report_run.delay(run_id)
    except Exception as exc:  # noqa: BLE001 - kombu/redis raise many kinds; all mean "not sent"
        log.warning("run %s: the broker did not take the message (%s); the sweeper will send it again", run_id, exc)
        return False
    ReportRun.objects.filter(pk=run_id).update(dispatched_at=timezone.now())
    return True


def _give_up_message(attempts):
    return (
        f"The worker computing this run stopped answering {attempts} times (killed, out of memory, or cut off from "
        "the database); the run was given up. Retry it once the workers are healthy."
    )


def reclaim(run, now=None, force=False):
    """Hand one run whose lease ran out (any running run with ``force``) back to the queue, or
    fail it after too many attempts. Returns "requeued", "failed" or "" (nothing to do)."""
    now = now or timezone.now()
    stale = Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
    running = ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING)
    if not force:
        running = running.filter(stale)
    if run.attempts >= settings.IMPACT_RUN_MAX_ATTEMPTS:
        done = running.update(status=ReportRun.Status.FAILED, error=_give_up_message(run.attempts),
                              finished_at=now, lease_token="", lease_expires_at=None)
        return "failed" if done else ""
    done = running.update(
        status=ReportRun.Status.PENDING, stage=ReportRun.Stage.QUEUED, lease_token="", lease_expires_at=None,
        error=f"Attempt {run.attempts} stopped without finishing (worker lost); queued again.",
        dispatched_at=None,
    )
    if done:
        dispatch(run.pk)
        return "requeued"
    return ""


def sweep(now=None, force=False):
    """Reclaim runs whose lease ran out and send again pending runs whose message may have been
    lost. ``force`` reclaims every running run: only for ``serve``, which knows that no other
    worker exists. Returns counts by outcome."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "redispatched": 0}
    running = ReportRun.objects.filter(status=ReportRun.Status.RUNNING)
    if not force:
        running = running.filter(Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True))
    for run in running.only("pk", "attempts"):
        outcome = reclaim(run, now, force=force)
        if outcome:
            counts[outcome] += 1
    quiet = now - timedelta(seconds=settings.IMPACT_RUN_REDISPATCH_SECONDS)
    pending = ReportRun.objects.filter(status=ReportRun.Status.PENDING, created_at__lt=quiet).filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=quiet)
    )
    for run_id in pending.values_list("pk", flat=True):
        if dispatch(run_id):
            counts["redispatched"] += 1
    if any(counts.values()):
        log.warning("sweep: %s", counts)
    return counts


def revive(run):
    """Make a stuck run move again (reclaim it or send its message again); True if it was stuck."""
    if not is_stuck(run):
        return False
    if run.status == ReportRun.Status.RUNNING:
        return bool(reclaim(run))
    return dispatch(run.pk)


def is_stuck(run, now=None):
    """True for a run that nothing is working on: running with its lease run out, or pending
    with no message sent for longer than the redispatch delay."""
    now = now or timezone.now()
    if run.status == ReportRun.Status.RUNNING:
        return run.lease_expires_at is None or run.lease_expires_at < now
    if run.status == ReportRun.Status.PENDING:
        quiet = now - timedelta(seconds=settings.IMPACT_RUN_REDISPATCH_SECONDS)
        return run.created_at < quiet and (run.dispatched_at is None or run.dispatched_at < quiet)
    return False
