from django.core.management.base import BaseCommand

from impact.seed import load_memphis


class Command(BaseCommand):
    help = "Create or update the Memphis Supercluster facility with cited inputs (safe to run twice)."

    def handle(self, *args, **options):
        facility, created = load_memphis()
        verb = "Created" if created else "Updated"
        count = facility.all_assumptions.count()
        self.stdout.write(self.style.SUCCESS(f"{verb} {facility.name} ({facility.slug}) with {count} cited inputs."))
