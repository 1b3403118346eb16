"""The forum's staff verbs get permissions of their own; staff.0007 gives them to the roles."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('forums', '0006_notification_delivery_schedule'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='meeting',
            options={'ordering': ['-starts_at'], 'permissions': [('record_meeting_outcomes', "Can record a meeting's minutes and docket outcomes"), ('cancel_meeting', 'Can cancel a meeting')]},
        ),
        migrations.AlterModelOptions(
            name='question',
            options={'ordering': ['-created_at'], 'permissions': [('moderate_post', 'Can moderate questions and replies (approve, hide, reject, restore, flags, appeals)'), ('close_question', 'Can close and reopen questions'), ('answer_question', 'Can give the official answer')]},
        ),
    ]
