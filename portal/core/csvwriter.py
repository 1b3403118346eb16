"""CSV writing for every file the site gives away: the published hourly download, API lists and the
series export, the open-data bundle, the staff audit log. One rule for a cell, whichever road:

- Not available is an empty cell: None, and a number that is not finite. NaN is how numpy says
  "no value"; ±infinity is no figure a reader can use either (the engine's bounds keep it out of
  every input, so one here is a gap, not a measurement), and refusing it would cut a streamed
  download off half-way. Never "nan", "inf" or 0.
- Numbers are plain numbers: integers as digits, floats as Python's shortest round-trip repr
  (numpy numbers too, as the Python number they hold), so a value parses back exactly.
- Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
  return) gets a leading apostrophe (OWASP "CSV injection"). Numbers are never escaped: -3.5 is a
  value, and escaping it would break every sheet that sums the column.
- Nested data (dicts, lists) is compact JSON in one cell; true/false for booleans.

Lines end in CRLF (RFC 4180, Python's csv default); cells are quoted only when they must be.
"""

import csv
import io
import json
import math
import numbers

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """One value as CSV text, by the rule above."""
    kind = type(value)
    # The common cells first, by exact type: isinstance against the numbers ABCs is slow, and a
    # million-row export spends most of its time here (benchmarks/web.py).
    if kind is float:
        return repr(value) if math.isfinite(value) else ""
    if kind is int:
        return str(value)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        return repr(number) if math.isfinite(number) else ""
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
