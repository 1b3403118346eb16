"""The staff audit log moves here from portal.staff, table and rows unchanged, and gains its door.

The model's state moves (staff.0006 drops it from portal.staff's state); the table keeps its name.
The content type is renamed in place, so the "view audit log" permission the administrator role
holds, and every existing grant of it, follows the model. Rows written before the move all came
through the staff console, so their door is "admin".
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor, source, target):
    """Rename the content type source → target. If the target already exists (the model was used
    under its new name before this ran, e.g. migrating back and forth), the target stays and the
    old one goes; the role migration that follows (staff.0006) grants the target's permissions."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    old = types.filter(app_label=source, model="staffaction")
    if types.filter(app_label=target, model="staffaction").exists():
        old.delete()
    else:
        old.update(app_label=target)


def rename_content_type(apps, schema_editor):
    _move_content_type(apps, schema_editor, "staff", "audit")


def rename_content_type_back(apps, schema_editor):
    _move_content_type(apps, schema_editor, "audit", "staff")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("staff", "0005_facility_timeline_permissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StaffAction",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("actor_name", models.CharField(blank=True, help_text="Username at the time, kept if the account goes.", max_length=150)),
                        ("kind", models.CharField(choices=[("add", "Added"), ("change", "Changed"), ("delete", "Deleted"), ("action", "Admin action"), ("export", "Exported"), ("login", "Logged in"), ("login_failed", "Login failed"), ("logout", "Logged out")], db_index=True, max_length=20)),
                        ("name", models.CharField(blank=True, help_text="The admin action or operation, e.g. publish.", max_length=100)),
                        ("object_id", models.CharField(blank=True, max_length=64)),
                        ("object_repr", models.CharField(blank=True, max_length=300)),
                        ("before", models.JSONField(blank=True, help_text="Changed fields as they were.", null=True)),
                        ("after", models.JSONField(blank=True, help_text="Changed fields as they became.", null=True)),
                        ("reason", models.TextField(blank=True, help_text="The note or reason the person gave, if any.")),
                        ("ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="staff_actions", to=settings.AUTH_USER_MODEL)),
                        ("content_type", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="contenttypes.contenttype")),
                    ],
                    options={
                        "verbose_name": "audit log entry",
                        "verbose_name_plural": "audit log",
                        "ordering": ["-at", "-id"],
                        "db_table": "staff_staffaction",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, rename_content_type_back),
        migrations.AddField(
            model_name="staffaction",
            name="door",
            field=models.CharField(
                choices=[("admin", "Staff console"), ("api", "REST API"), ("cli", "Command line"), ("page", "Site page"), ("system", "Scheduled task or worker")],
                db_index=True, default="admin", help_text="Where the action came in.", max_length=10,
            ),
            preserve_default=False,
        ),
    ]
