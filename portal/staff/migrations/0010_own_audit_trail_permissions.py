"""Moderators, forum staff and analysts read the audit log rows of their own actions (audit.0002)."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from portal.accounts.roles import apply_role_permissions_in_migration

    apply_role_permissions_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0009_measured_data_permissions"),
        ("audit", "0002_own_trail_permission"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
