"""Periodic tasks that ship with the portal, written into django-celery-beat by data migrations.

Each schedule is a row staff can edit or pause in the admin (Periodic tasks); a migration only
creates it when missing and removes it on reversal, so an edited interval survives a re-migrate.
"""

from django.db import migrations


def interval_schedule(*, name, task, every, period, description):
    """A RunPython operation that creates the periodic task ``name`` running ``task`` every ``every`` ``period``."""

    def create(apps, schema_editor):
        IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "description": description})

    def remove(apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return migrations.RunPython(create, remove)
