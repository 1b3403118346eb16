"""Moved to portal.core.api.schema; importable here only while portal/settings.py
(DEFAULT_SCHEMA_CLASS) names this module. Delete it once the setting points at portal.core."""

from portal.core.api.schema import ExportAutoSchema  # noqa: F401
