"""Give a staff account a TOTP device and print the otpauth:// URI for an authenticator app."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Enrol a TOTP device for a staff account and print its otpauth:// URI (paste it into an "
        "authenticator app, or turn it into a QR code). The first administrator uses this after "
        "createsuperuser; later ones can be enrolled by an administrator in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator", help="a label for the device, e.g. 'phone'")
        parser.add_argument(
            "--replace", action="store_true", help="delete the account's existing TOTP devices first (a lost phone)"
        )

    def handle(self, *args, username, name, replace, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No account with the username {username!r}.") from None
        if not user.is_staff:
            raise CommandError(f"{username} is not a staff account; give it staff status first.")
        existing = TOTPDevice.objects.filter(user=user)
        if existing.exists() and not replace:
            raise CommandError(f"{username} has a TOTP device already; pass --replace to start again with a new one.")
        existing.delete()
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        self.stdout.write(f"TOTP device {device.name!r} enrolled for {username}. Add this to an authenticator app:\n")
        self.stdout.write(device.config_url)
        self._print_qr(device.config_url)
        self.stdout.write("\nThen log in at /admin/ with the password and the 6-digit code the app shows.")

    def _print_qr(self, uri):
        """The same URI as a QR code in the terminal, for phones that only scan."""
        import io

        import qrcode

        code = qrcode.QRCode(border=1)
        code.add_data(uri)
        out = io.StringIO()
        code.print_ascii(out=out, invert=True)
        self.stdout.write("\nOr scan this code:\n" + out.getvalue())
