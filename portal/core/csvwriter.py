"""CSV writing for every file the site gives away: API lists, the open-data bundle, the staff audit log.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return) as a formula,
so such text cells get a leading apostrophe (OWASP "CSV injection"). Numbers are written as numbers:
-3.5 is a value, not a formula, and escaping it would break every sheet that sums the column.
"""

import csv
import io
import json

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
