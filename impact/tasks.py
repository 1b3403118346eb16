"""Celery tasks: thin wrappers that take primary keys and call impact.services."""

from celery import shared_task

from impact import leases, services


@shared_task(
    name="impact.compute_report_run",
    acks_late=True,
    reject_on_worker_lost=True,
    # The database went away: the run was handed back to the queue, try again with backoff.
    autoretry_for=services.TRANSIENT_DATABASE_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=6,
)
def compute_report_run(run_id):
    """Compute one report run; a second delivery of the same message does nothing."""
    return services.execute_run(run_id)


@shared_task(name="impact.sweep_runs")
def sweep_runs():
    """Beat task, every minute: requeue runs whose worker stopped, resend lost messages."""
    return leases.sweep()


@shared_task(name="impact.notify_subscribers")
def notify_subscribers(version_id):
    """E-mail the facility's subscribers about a published version (once each)."""
    return services.notify_subscribers(version_id)


@shared_task(name="impact.draft_monthly_reports")
def draft_monthly_reports():
    """Beat task for the 1st of the month: queue last month's draft for every active facility."""
    return [run.pk for run in services.draft_monthly_reports()]
