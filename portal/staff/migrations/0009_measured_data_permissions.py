"""Analysts import measured data (impact.0012)."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from portal.accounts.roles import apply_role_permissions_in_migration

    apply_role_permissions_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0008_air_permit_permissions"),
        ("impact", "0012_measured_data"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
