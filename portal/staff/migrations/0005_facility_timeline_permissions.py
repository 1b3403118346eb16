"""Analysts edit the new facility parts: fleet stages and battery storage (impact.0005)."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from portal.accounts.roles import apply_role_permissions_in_migration

    apply_role_permissions_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0004_report_products_permissions"),
        ("impact", "0005_facility_through_time"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
