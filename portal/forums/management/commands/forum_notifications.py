"""Send the forum e-mails due in the outbox; for cron where Celery beat does not run."""

from django.core.management.base import BaseCommand

from portal.forums import notifications


class Command(BaseCommand):
    help = "Send forum e-mails that are due in the outbox (left by a broker or mail server outage)."

    def handle(self, *args, **options):
        self.stdout.write(f"Sent {notifications.deliver()} e-mail(s).")
