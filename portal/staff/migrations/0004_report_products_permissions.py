"""Analysts see report downloads and edit the monthly schedule; administrators manage report alerts."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def apply_roles(apps, schema_editor):
    from portal.staff.roles import apply_role_permissions

    # Permissions are made after migrations; the models added since 0002 need theirs now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    apply_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0003_forum_staff_permissions"),
        ("impact", "0003_monthly_report_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
