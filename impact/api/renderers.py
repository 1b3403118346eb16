"""CSV output: a renderer for single objects and error-free lists, and a streaming writer for exports.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return) as a formula,
so such text cells get a leading apostrophe (OWASP "CSV injection"). Numbers are written as numbers:
-3.5 is a value, not a formula, and escaping it would break every sheet that sums the column.
"""

import csv
import io
import json

from rest_framework.renderers import BaseRenderer

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """One value as CSV text: None → empty, nested data → JSON, risky text → escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, (dict, list, tuple)):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Line:
    """A file-like object that hands back what csv.writer wrote, one line at a time."""

    def write(self, value):
        return value


def csv_lines(header, rows):
    """Yield CSV text lines: the header, then each row (a sequence in header order)."""
    writer = csv.writer(_Line())
    yield writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def csv_text(header, rows):
    """The whole CSV as one string (for small files, e.g. inside the open-data bundle)."""
    out = io.StringIO()
    for line in csv_lines(header, rows):
        out.write(line)
    return out.getvalue()


class CSVRenderer(BaseRenderer):
    """text/csv for one object (one row) or a list of flat objects. Big lists stream instead."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data = data["results"]  # a paginated page
        rows = data if isinstance(data, list) else [data]
        header = []
        for row in rows:
            for key in row if isinstance(row, dict) else ():
                if key not in header:
                    header.append(key)
        return csv_text(header, ([row.get(key) for key in header] for row in rows)).encode("utf-8")
