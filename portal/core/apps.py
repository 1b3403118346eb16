from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pieces: the base layout, health checks and the `serve` command."""

    name = "portal.core"
    label = "core"
