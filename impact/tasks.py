"""Celery tasks: thin wrappers that take primary keys and call impact.services."""

from celery import shared_task

from impact import services


@shared_task(name="impact.compute_report_run", acks_late=True)
def compute_report_run(run_id):
    """Compute one report run; a second delivery of the same message does nothing."""
    return services.execute_run(run_id)
