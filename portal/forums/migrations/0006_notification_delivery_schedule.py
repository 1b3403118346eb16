"""Send what is due in the notification outbox every minute; editable in the admin."""

from django.db import migrations

from portal.core.schedules import interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0005_notification_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        interval_schedule(
            name="Forum e-mails: send what is due in the outbox",
            task="forums.deliver_notifications",
            every=1,
            period="minutes",
            description=("Sends forum e-mails that could not be sent when their event happened "
                         "(broker or mail server down), with backoff, each once."),
        ),
    ]
