"""Freeze due meeting dockets and carry unreached questions over; run it from cron every hour."""

from django.core.management.base import BaseCommand

from portal.forums import meetings


class Command(BaseCommand):
    help = "Freeze meeting dockets that are due and carry unreached questions to the next meeting."

    def handle(self, *args, **options):
        frozen = meetings.freeze_due_dockets()
        moved = meetings.carry_over_due()
        for meeting in frozen:
            self.stdout.write(f"Froze the docket of {meeting} ({meeting.docket.count()} questions).")
        self.stdout.write(f"Carried {moved} question(s) over to later meetings.")
