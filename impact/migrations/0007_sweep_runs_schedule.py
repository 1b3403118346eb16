"""Schedule the run sweeper every minute (editable in the admin under Periodic tasks)."""

from django.db import migrations

TASK_NAME = "Sweep report runs (leases and lost messages)"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "impact.sweep_runs",
            "interval": every_minute,
            "description": "Hands runs whose worker stopped back to the queue (or fails them after too many "
                           "attempts) and sends again pending runs whose message never reached a worker.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0006_run_leases"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
