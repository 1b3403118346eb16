"""Freeze due meeting dockets and carry unreached questions over; run it from cron every hour.

A staff command (portal.audit.commands): its rows in the audit log say "command line"; with
``--as USERNAME`` it acts as that account, which needs forums.record_meeting_outcomes.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from portal.audit.commands import StaffCommand
from portal.forums import meetings


class Command(StaffCommand):
    help = "Freeze meeting dockets that are due and carry unreached questions to the next meeting."

    def handle(self, *args, **options):
        try:
            frozen, moved = meetings.housekeeping(actor=self.actor)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        for meeting in frozen:
            self.stdout.write(f"Froze the docket of {meeting} ({meeting.docket.count()} questions).")
        self.stdout.write(f"Carried {moved} question(s) over to later meetings.")
