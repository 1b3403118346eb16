"""Reading and checking CSV files of measured data (docs/measured.md describes each format).

:func:`parse` returns the rows of a file, normalised to the engine's units, or raises
:class:`MeasuredDataError` listing every error as (row, column, reason): a file with any error
is refused whole, so nothing of it is ever half stored. Rows are numbered as a spreadsheet shows
the file: the header is row 1, the first data row is row 2; row 0 is the file itself.
"""

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass

# Units each kind accepts, as written in the file's unit column → factor to the engine's unit.
# Gas in volume needs the facility's heating value, so its factor is in scf and applied below.
GALLON_M3 = 0.003785411784  # 1 US gallon = 231 in³ = 3.785411784 L (NIST Handbook 44, Appendix C)
UNITS = {
    "meter_mwh": ("MWh", {"MWh": 1.0, "kWh": 1e-3}),
    "gas": ("MMBtu", {"MMBtu": 1.0, "scf": None, "Mscf": None}),
    "water": ("m3", {"m3": 1.0, "m³": 1.0, "gal": GALLON_M3, "kgal": 1000 * GALLON_M3}),
}
SCF_PER_UNIT = {"scf": 1.0, "Mscf": 1000.0}
ALL_UNITS = {name: kind for kind, (_, accepted) in UNITS.items() for name in accepted}

COLUMNS = {
    "meter_mwh": ("start", "end", "value", "unit"),
    "gas": ("start", "end", "value", "unit"),
    "water": ("start", "end", "value", "unit"),
    "run_log": ("unit", "start", "stop"),
    "cems": ("unit", "hour", "heat_input_mmbtu", "nox_lb", "co2_tons", "operating_time"),
}
MAX_ROWS = 200_000  # a year of hourly stack data for 20 units is 175,680 rows
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self):
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


class MeasuredDataError(ValueError):
    """A file that cannot be imported; ``errors`` lists every (row, column, reason)."""

    def __init__(self, errors):
        self.errors = list(errors)
        shown = "; ".join(str(e) for e in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} error(s), nothing imported: {shown}{more}")


@dataclass(frozen=True)
class Parsed:
    """The rows of a good file, as dicts of model fields."""

    kind: str
    rows: list


def parse(kind, data, *, zone, period_start, period_end, gas_hhv_btu_per_scf):
    """The rows of ``data`` (bytes of a CSV file of ``kind``) within [period_start, period_end).

    Timestamps with an offset are taken as given; without one they are local time in ``zone``
    (a ZoneInfo). Returns :class:`Parsed` or raises :class:`MeasuredDataError`.
    """
    if kind not in COLUMNS:
        raise MeasuredDataError([RowError(0, "", f"unknown kind {kind!r}: one of {', '.join(COLUMNS)}")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MeasuredDataError([RowError(0, "", f"the file is not UTF-8 text (byte {exc.start})")]) from None
    lines = list(csv.reader(io.StringIO(text)))
    lines = [(number, cells) for number, cells in enumerate(lines, start=1) if any(c.strip() for c in cells)]
    if not lines:
        raise MeasuredDataError([RowError(0, "", "the file is empty: it needs a header line and at least one row")])
    header_row, header = lines[0]
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS[kind] if c not in header]
    errors = [RowError(header_row, c, f"missing column: the header must name {', '.join(COLUMNS[kind])}") for c in missing]
    if errors:
        raise MeasuredDataError(errors)
    if len(lines) == 1:
        raise MeasuredDataError([RowError(0, "", "the file has a header but no rows")])
    if len(lines) - 1 > MAX_ROWS:
        raise MeasuredDataError([RowError(0, "", f"the file has {len(lines) - 1} rows; at most {MAX_ROWS} at a time")])
    reader = _Reader(header, zone, period_start, period_end)
    rows = []
    for number, cells in lines[1:]:
        reader.begin(number, cells)
        row = {"meter_mwh": _interval, "gas": _interval, "water": _interval, "run_log": _run, "cems": _cems}[kind](
            reader, kind, gas_hhv_btu_per_scf
        )
        if row is not None and not reader.row_failed:
            rows.append(row)
    reader.errors.extend(_overlaps(kind, rows))
    if reader.errors:
        raise MeasuredDataError(sorted(reader.errors, key=lambda e: (e.row, e.column)))
    return Parsed(kind, rows)


class _Reader:
    """Reads one cell at a time and collects every error rather than stopping at the first."""

    def __init__(self, header, zone, period_start, period_end):
        self.index = {name: i for i, name in enumerate(header)}
        self.zone, self.period_start, self.period_end = zone, period_start, period_end
        self.errors = []

    def begin(self, number, cells):
        self.number, self.cells, self.row_failed = number, cells, False

    def fail(self, column, reason):
        self.errors.append(RowError(self.number, column, reason))
        self.row_failed = True

    def cell(self, column):
        i = self.index[column]
        value = self.cells[i].strip() if i < len(self.cells) else ""
        if not value:
            self.fail(column, "empty")
            return None
        return value

    def time(self, column):
        value = self.cell(column)
        if value is None:
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(column, f"{value!r} is not an ISO 8601 time such as 2024-07-01T00:00-05:00")
            return None
        if moment.tzinfo is None:
            # Local time of the facility; in the repeated hour of November the first one (fold 0).
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(dt.timezone.utc)

    def within(self, column, moment, *, end=False):
        """Whether ``moment`` lies in the stated period (an end may equal the period's end)."""
        if moment is None:
            return False
        inside = self.period_start <= moment <= self.period_end if end else self.period_start <= moment < self.period_end
        if not inside:
            self.fail(column, f"{_local(moment, self.zone)} is outside the stated period "
                              f"{_local(self.period_start, self.zone)} – {_local(self.period_end, self.zone)}")
        return inside

    def number_(self, column, *, high=None):
        value = self.cell(column)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            self.fail(column, f"{value!r} is not a number")
            return None
        if not math.isfinite(number):
            self.fail(column, f"{value!r} is not a finite number")
            return None
        if number < 0:
            self.fail(column, f"{value} is negative; measured amounts are zero or more")
            return None
        if high is not None and number > high:
            self.fail(column, f"{value} is more than {high:g}")
            return None
        return number


def _local(moment, zone):
    return moment.astimezone(zone).isoformat(timespec="minutes")


def _interval(reader, kind, gas_hhv_btu_per_scf):
    """A meter row: start, end (one hour or one calendar month), value and its unit."""
    start, end = reader.time("start"), reader.time("end")
    reader.within("start", start)
    reader.within("end", end, end=True)
    if start is not None and end is not None and not _one_hour_or_month(start, end, reader.zone):
        reader.fail("end", "an interval must be one hour or one calendar month, from its start")
    value = reader.number_("value")
    unit = reader.cell("unit")
    engine_unit, accepted = UNITS[kind]
    factor = None
    if unit is not None:
        if unit in accepted:
            factor = accepted[unit]
            if factor is None:  # gas by volume: scf × Btu/scf (HHV) ÷ 10⁶ = MMBtu
                factor = SCF_PER_UNIT[unit] * gas_hhv_btu_per_scf / 1e6
        elif unit in ALL_UNITS:
            reader.fail("unit", f"{unit} is a unit of another kind of data ({ALL_UNITS[unit]}); this file takes {', '.join(accepted)}")
        else:
            reader.fail("unit", f"unknown unit name {unit!r}; this file takes {', '.join(accepted)}")
    if reader.row_failed:
        return None
    return {"start": start, "end": end, "value": value * factor, "unit": engine_unit,
            "original_value": value, "original_unit": unit, "row": reader.number}


def _one_hour_or_month(start, end, zone):
    if end - start == HOUR:
        return True
    first, after = start.astimezone(zone), end.astimezone(zone)
    next_month = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (first.day, first.hour, first.minute, first.second) == (1, 0, 0, 0) and after.date() == next_month and after.time() == dt.time(0)


def _run(reader, kind, gas_hhv_btu_per_scf):
    unit = reader.cell("unit")
    start, stop = reader.time("start"), reader.time("stop")
    reader.within("start", start)
    reader.within("stop", stop, end=True)
    if start is not None and stop is not None and stop <= start:
        reader.fail("stop", "the stop must come after the start")
    if reader.row_failed:
        return None
    return {"unit": unit, "start": start, "stop": stop, "row": reader.number}


def _cems(reader, kind, gas_hhv_btu_per_scf):
    unit = reader.cell("unit")
    hour = reader.time("hour")
    if reader.within("hour", hour) and (hour.minute, hour.second, hour.microsecond) != (0, 0, 0):
        reader.fail("hour", "a CEMS hour starts on the hour")
    values = {
        "heat_input_mmbtu": reader.number_("heat_input_mmbtu"),
        "nox_lb": reader.number_("nox_lb"),
        "co2_short_tons": reader.number_("co2_tons"),
        "operating_time_h": reader.number_("operating_time", high=1.0),
    }
    if reader.row_failed:
        return None
    return {"unit": unit, "hour": hour, **values, "row": reader.number}


def _overlaps(kind, rows):
    """Duplicated hours and overlapping intervals, named on the later row."""
    errors = []
    if kind == "cems":
        seen = {}
        for row in rows:
            key = (row["unit"], row["hour"])
            if key in seen:
                errors.append(RowError(row["row"], "hour", f"duplicated hour for unit {row['unit']}: also on row {seen[key]}"))
            else:
                seen[key] = row["row"]
        return errors
    start_key, end_key = ("start", "stop") if kind == "run_log" else ("start", "end")
    groups = {}
    for row in rows:
        groups.setdefault(row.get("unit") if kind == "run_log" else None, []).append(row)
    for unit, group in groups.items():
        group.sort(key=lambda r: (r[start_key], r["row"]))
        for before, after in zip(group, group[1:]):
            what = f" of unit {unit}" if unit else ""
            if after[start_key] == before[start_key]:
                errors.append(RowError(after["row"], start_key, f"duplicated hour{what}: also on row {before['row']}"))
            elif after[start_key] < before[end_key]:
                errors.append(RowError(after["row"], start_key, f"overlaps row {before['row']}{what}"))
    return errors
