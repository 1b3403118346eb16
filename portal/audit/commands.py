"""Management commands that carry out staff verbs come in through the CLI door.

A command built on StaffCommand runs its ``handle`` inside ``through(Door.CLI)``, so each verb's
audit row says "command line" and the operating-system user who ran it. ``--as USERNAME`` acts as
that account: the verb checks that account's role like any other door, and the row names it.
Without ``--as`` the command acts as the system, as the monthly beat task does: whoever has a
shell on the server can already do anything, and the row still says which shell user it was.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from .log import Door, shell_user, through


class StaffCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--as", dest="acting_username", metavar="USERNAME", default="",
            help="act as this staff account: its role's permissions apply and the audit log names it",
        )
        return parser

    def execute(self, *args, **options):
        self.actor = None
        username = options.get("acting_username") or ""
        if username:
            self.actor = get_user_model().objects.filter(username=username, is_active=True).first()
            if self.actor is None:
                raise CommandError(f"No active account {username!r} to act as.")
        with through(Door.CLI, actor_name=shell_user()):
            return super().execute(*args, **options)
