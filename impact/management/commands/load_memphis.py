from django.core.management.base import CommandError

from impact import services
from portal.audit.commands import StaffCommand


class Command(StaffCommand):
    help = "Create or update the Memphis Supercluster facility with cited inputs (safe to run twice; audited)."

    def handle(self, *args, **options):
        try:
            facility, created = services.load_seed_facility(user=self.actor)
        except (services.NotPermitted, services.ReportError) as exc:
            raise CommandError(str(exc)) from None
        verb = "Created" if created else "Updated"
        count = facility.all_assumptions.count()
        self.stdout.write(self.style.SUCCESS(f"{verb} {facility.name} ({facility.slug}) with {count} cited inputs."))
