"""Give the forum's staff group what it needs in the admin: questions (to answer) and meetings."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from portal.staff.roles import apply_role_permissions

    apply_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [("staff", "0002_role_groups")]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
