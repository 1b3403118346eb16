"""Run the meeting housekeeping (docket freezes, carry-overs) every hour; editable in the admin."""

from django.db import migrations

TASK_NAME = "Forum meetings: freeze dockets and carry questions over"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "forums.meeting_housekeeping",
            "interval": hourly,
            "description": "Freezes meeting dockets that are due and moves unreached questions to the next meeting.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0003_edit_action"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
