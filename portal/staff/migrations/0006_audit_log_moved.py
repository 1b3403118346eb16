"""The audit log's model now belongs to portal.audit (audit.0001); the table stays where it is.

Then the role table is applied again: it names the audit log as audit.staffaction now.
"""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from portal.accounts.roles import apply_role_permissions_in_migration

    apply_role_permissions_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0005_facility_timeline_permissions"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="StaffAction")], database_operations=[]),
        migrations.RunPython(apply_roles, migrations.RunPython.noop),
    ]
