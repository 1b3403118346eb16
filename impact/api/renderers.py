"""Moved: the CSV renderer is portal.core.api.renderers, the cells portal.core.csvwriter.

These names stay importable here only while portal/settings.py (DEFAULT_RENDERER_CLASSES) and
portal/staff/admin.py still name this module; delete it once they point at portal.core.
"""

from portal.core.api.renderers import CSVRenderer  # noqa: F401
from portal.core.csvwriter import csv_lines  # noqa: F401
