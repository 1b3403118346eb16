"""Issue a scoped API token for an account and print its key, once."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.models import ApiToken


class Command(BaseCommand):
    help = (
        "Issue a scoped API token: the key is printed once and stored only as its hash. Each --scope is "
        "one of the account's own permissions, e.g. impact.add_reportrun (request runs), "
        "impact.add_reportversion (publish), impact.change_reportrun (retry), impact.view_reportrun (see drafts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scope", action="append", required=True, dest="scopes", metavar="APP_LABEL.CODENAME",
                            help="a permission the token may use (repeat for several)")
        parser.add_argument("--days", type=int, default=90, help="days until the token expires (default 90)")
        parser.add_argument("--name", default="", help="what the token is for, e.g. 'monthly publishing script'")

    def handle(self, *args, username, scopes, days, name, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No account with the username {username!r}.") from None
        if days < 1:
            raise CommandError("--days must be at least 1.")
        try:
            token, key = ApiToken.objects.issue(user, name or f"token for {username}", scopes, days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"API token {token.prefix}… for {username}, scopes {', '.join(token.scopes)}, "
                          f"expires {token.expires_at:%Y-%m-%d}. The key (shown once; it is not stored):\n")
        self.stdout.write(key)
        self.stdout.write("\nSend it as: Authorization: Token <key>")
