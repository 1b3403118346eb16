import time

from django.core.management.base import CommandError

from impact import figures, services
from impact.models import Facility, ReportRun
from impact.periods import PeriodError
from portal.audit.commands import StaffCommand


class Command(StaffCommand):
    help = (
        "Queue a report run for a facility through the broker; --wait polls until a worker finishes it. "
        "Request and publish are audited as coming from the command line (--as USERNAME acts as that account)."
    )

    def add_arguments(self, parser):
        parser.add_argument("facility", help="facility slug, e.g. memphis-supercluster")
        parser.add_argument("--period", required=True, help="2024-07, 2024-Q3, 2024 or 2024-07-01..2024-07-15")
        parser.add_argument("--gwp", default="AR6", choices=services.GWP_SETS, help="GWP set for CO2e")
        parser.add_argument("--samples", type=int, default=None, help="Monte Carlo samples (default from settings)")
        parser.add_argument("--wait", action="store_true", help="wait for the worker and print the outcome")
        parser.add_argument("--timeout", type=float, default=600, help="seconds to wait with --wait")
        parser.add_argument("--publish", action="store_true", help="publish the run as a version when it succeeds")
        parser.add_argument("--changelog", default="", help="what changed (required to publish a correction)")
        parser.add_argument(
            "--acknowledge", default="", metavar="TEXT",
            help="why the run may be published although more of its modelled demand went unserved than "
            "IMPACT_UNSERVED_PUBLISH_THRESHOLD allows (shown to the public with the report)",
        )

    def handle(self, *args, **opts):
        try:
            facility = Facility.objects.get(slug=opts["facility"])
        except Facility.DoesNotExist:
            known = ", ".join(Facility.objects.values_list("slug", flat=True)) or "none yet (run load_memphis)"
            raise CommandError(f"No facility {opts['facility']!r}. Known facilities: {known}.") from None
        try:
            run = services.request_report(facility, opts["period"], user=self.actor, gwp_set=opts["gwp"], samples=opts["samples"])
        except (PeriodError, services.ReportError, services.NotPermitted) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Queued run {run.pk} of {run.report} (input hash {run.input_hash[:12]}).")
        if not (opts["wait"] or opts["publish"]):
            return
        deadline = time.monotonic() + opts["timeout"]
        while True:
            run.refresh_from_db()
            if not run.is_active:
                break
            if time.monotonic() > deadline:
                raise CommandError(f"Run {run.pk} is still {run.status} ({run.stage}) after {figures.fmt(opts['timeout'], 's')}; is a worker running?")
            time.sleep(0.5)
        if run.status == ReportRun.Status.FAILED:
            raise CommandError(f"Run {run.pk} failed: {run.error.splitlines()[0] if run.error else 'no reason recorded'}")
        self.stdout.write(self.style.SUCCESS(f"Run {run.pk} succeeded in {figures.fmt(run.duration.total_seconds(), 's')}."))
        # Written as the report page writes them (impact.figures.fmt): "82,319 MWh", never "8.232e+04 MWh".
        for metric in run.metrics.filter(scenario="", key__in=figures.HEADLINE_KEYS):
            spread = f" (90 % range {figures.span(metric.p5, metric.p95, metric.unit)})" if metric.p5 is not None else ""
            self.stdout.write(f"  {metric.label}: {figures.fmt(metric.value, metric.unit)}{spread}")
        share = services.unserved_share(run)
        if share:
            self.stdout.write(f"  Modelled demand not served (diagnostic): {figures.percent(share)}")
        if opts["publish"]:
            try:
                version, _ = services.publish_run(run, user=self.actor, changelog=opts["changelog"], acknowledgement=opts["acknowledge"])
            except services.UnservedDemandError as exc:
                raise CommandError(f"{exc} Give it with --acknowledge \"…\".") from None
            except (services.PublishError, services.NotPermitted) as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(self.style.SUCCESS(f"Published as {version} → {version.get_absolute_url()}"))
