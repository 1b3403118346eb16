"""Give the moderator, analyst and administrator groups exactly the admin permissions they need.

The moderator group exists already (accounts.0003); analyst and administrator are created here.
Permissions are normally made after all migrations have run, so they are created first here.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def apply_roles(apps, schema_editor):
    from portal.staff.roles import apply_role_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    apply_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("accounts", "0003_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("impact", "0001_initial"),
        ("forums", "0001_initial"),
        ("otp_totp", "0003_add_timestamps"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
