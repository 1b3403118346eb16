"""Schedule the run sweeper every minute (editable in the admin under Periodic tasks)."""

from django.db import migrations

from portal.core.schedules import interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0006_run_leases"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        interval_schedule(
            name="Sweep report runs (leases and lost messages)",
            task="impact.sweep_runs",
            every=60,
            period="seconds",
            description=("Hands runs whose worker stopped back to the queue (or fails them after too many "
                         "attempts) and sends again pending runs whose message never reached a worker."),
        ),
    ]
