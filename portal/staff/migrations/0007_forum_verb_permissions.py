"""The roles get the forum's verb permissions (forums.0007): moderate_post, close_question,
answer_question, record_meeting_outcomes, cancel_meeting; the forum checks these, not group names."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from portal.accounts.roles import apply_role_permissions_in_migration

    apply_role_permissions_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0006_audit_log_moved"),
        ("forums", "0007_verb_permissions"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
