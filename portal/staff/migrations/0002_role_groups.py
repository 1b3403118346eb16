"""Give the moderator, analyst and administrator groups exactly the admin permissions they need.

The moderator group exists already (accounts.0003); analyst and administrator are created here.
Permissions are normally made after all migrations have run, so they are created first here.
"""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from portal.accounts.roles import apply_role_permissions_in_migration

    apply_role_permissions_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("accounts", "0003_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        # The role table names models up to these migrations; their permissions must exist.
        ("impact", "0003_monthly_report_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("forums", "0001_initial"),
        ("otp_totp", "0003_add_timestamps"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
