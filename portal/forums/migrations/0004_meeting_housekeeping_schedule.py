"""Run the meeting housekeeping (docket freezes, carry-overs) every hour; editable in the admin."""

from django.db import migrations

from portal.core.schedules import interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0003_edit_action"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        interval_schedule(
            name="Forum meetings: freeze dockets and carry questions over",
            task="forums.meeting_housekeeping",
            every=1,
            period="hours",
            description=("Freezes meeting dockets that are due and moves unreached questions to the next meeting."),
        ),
    ]
