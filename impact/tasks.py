"""Celery tasks: thin wrappers that take primary keys and call impact.services."""

from celery import shared_task

from impact import services


@shared_task(name="impact.compute_report_run", acks_late=True)
def compute_report_run(run_id):
    """Compute one report run; a second delivery of the same message does nothing."""
    return services.execute_run(run_id)


@shared_task(name="impact.notify_subscribers")
def notify_subscribers(version_id):
    """E-mail the facility's subscribers about a published version (once each)."""
    return services.notify_subscribers(version_id)


@shared_task(name="impact.draft_monthly_reports")
def draft_monthly_reports():
    """Beat task for the 1st of the month: queue last month's draft for every active facility."""
    return [run.pk for run in services.draft_monthly_reports()]
