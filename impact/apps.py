from django.apps import AppConfig


class ImpactConfig(AppConfig):
    """The facility model, the reports computed from it, and the data export."""

    name = "impact"

    def ready(self):
        from portal.core.pagecache import invalidate_on

        # What the cached report pages show: a version published (or corrected: the old one gains
        # its "superseded" note), a report, a facility's name. Published runs and their figures
        # never change (models.PublishedRunError), so runs need no signal.
        invalidate_on("reports", "impact.ReportVersion", "impact.Report", "impact.Facility")
        # The home page compares the latest month with its air permit's caps.
        invalidate_on("reports", "impact.AirPermit", "impact.PermitLimit")
