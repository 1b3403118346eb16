"""Analysts see report downloads and edit the monthly schedule; administrators manage report alerts."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from portal.accounts.roles import apply_role_permissions_in_migration

    apply_role_permissions_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0003_forum_staff_permissions"),
        ("impact", "0003_monthly_report_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
