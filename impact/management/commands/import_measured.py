from pathlib import Path

from django.core.management.base import CommandError

from impact import services
from impact.measured import MeasuredDataError
from impact.models import Facility, MeasuredDataset, Source
from portal.audit.commands import StaffCommand


class Command(StaffCommand):
    help = ("Import a CSV file of measured data (docs/measured.md) for a facility: all of it or, with any error, "
            "none of it (audited; the same file twice is a no-op).")

    def add_arguments(self, parser):
        parser.add_argument("facility", help="the facility's slug, e.g. memphis-supercluster")
        parser.add_argument("kind", choices=MeasuredDataset.Kind.values)
        parser.add_argument("path", help="the CSV file")
        parser.add_argument("--period", required=True, help="the period the file covers: 2024-07, 2024-Q3, 2024-07-01..2024-07-15")
        parser.add_argument("--source", required=True, type=int, help="the id of the Source (document) the data comes from")
        parser.add_argument("--status", required=True, choices=[value for value, _ in MeasuredDataset.STATUS_CHOICES])
        parser.add_argument("--supersedes", type=int, help="the id of the dataset this corrected file replaces")
        parser.add_argument("--reason", default="", help="why it supersedes the earlier dataset (required with --supersedes)")

    def handle(self, *args, **options):
        facility = Facility.objects.filter(slug=options["facility"]).first()
        if facility is None:
            raise CommandError(f"No facility {options['facility']!r}.")
        source = Source.objects.filter(pk=options["source"]).first()
        if source is None:
            raise CommandError(f"No source with id {options['source']}.")
        supersedes = None
        if options["supersedes"] is not None:
            supersedes = MeasuredDataset.objects.filter(pk=options["supersedes"]).first()
            if supersedes is None:
                raise CommandError(f"No measured dataset with id {options['supersedes']}.")
        path = Path(options["path"])
        try:
            with path.open("rb") as file:
                dataset, created = services.import_measured(
                    facility, options["kind"], file, user=self.actor, source=source, status=options["status"],
                    period=options["period"], supersedes=supersedes, reason=options["reason"],
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        except services.NotPermitted as exc:
            raise CommandError(str(exc)) from None
        except MeasuredDataError as exc:
            for error in exc.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{len(exc.errors)} error(s) in {path.name}; nothing was imported.") from None
        if created:
            self.stdout.write(self.style.SUCCESS(f"Imported {dataset.row_count} rows as dataset {dataset.pk} ({dataset})."))
        else:
            self.stdout.write(f"Already imported as dataset {dataset.pk} ({dataset}); nothing changed.")
