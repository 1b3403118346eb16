"""Moved to portal.core.api.throttles; importable here only while portal/settings.py
(DEFAULT_THROTTLE_CLASSES) names this module. Delete it once the setting points at portal.core."""

from portal.core.api.throttles import AnonymousThrottle  # noqa: F401
