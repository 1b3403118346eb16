"""Analysts edit air permits and their limits (impact.0010)."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from portal.accounts.roles import apply_role_permissions_in_migration

    apply_role_permissions_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0007_forum_verb_permissions"),
        ("impact", "0010_air_permits"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
