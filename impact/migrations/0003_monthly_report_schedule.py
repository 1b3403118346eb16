"""Schedule the monthly draft reports: 06:00 Memphis time on the 1st (editable in the admin)."""

from django.db import migrations

TASK_NAME = "Draft last month's reports"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="6", day_of_month="1", month_of_year="*", day_of_week="*", timezone="America/Chicago"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "impact.draft_monthly_reports",
            "crontab": crontab,
            "description": "Queues last month's report for every active facility as a draft for staff review.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0002_artifacts_subscriptions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
