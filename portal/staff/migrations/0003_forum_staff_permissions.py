"""Give the forum's staff group what it needs in the admin: questions (to answer) and meetings."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    # The live role table names models of later migrations too: grant what exists at this point.
    from portal.accounts.roles import apply_role_permissions_in_migration

    apply_role_permissions_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [("staff", "0002_role_groups")]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
