from django.apps import AppConfig


class ImpactConfig(AppConfig):
    """The facility model, the reports computed from it, and the data export."""

    name = "impact"
