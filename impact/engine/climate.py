"""Outdoor temperature for the temperature-dependent PUE, and the Memphis normals.

From monthly normals the hourly temperature is built in two steps: the daily low and high are
interpolated linearly in time between month mid-points (so January 31 sits between the January
and February normals, not on a step), then a half-cosine rises from the low near
``min_hour_local`` to the high near ``max_hour_local`` and another half-cosine falls back to the
low. An explicit hourly series, aligned to the period start, replaces all of this.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .constants import fahrenheit_to_celsius
from .inputs import ClimateInput
from .timebase import TimeBase, gather

# Memphis TN monthly normal daily low / high, °F (ovogo.com climate page, rounded; status 2°;
# factors.md §10). NOAA 1991-2020 normals for Memphis International Airport would be the
# primary source to prefer; they were not available when this was written.
MEMPHIS_LOW_F = (32, 35, 42, 51, 59, 68, 71, 71, 63, 53, 44, 34)
MEMPHIS_HIGH_F = (54, 60, 67, 78, 85, 93, 97, 97, 90, 78, 68, 59)
MEMPHIS_SOURCE = "ovogo.com climate page, 2° (factors.md §10); monthly normal daily low/high"

MEMPHIS_NORMALS = ClimateInput(
    monthly_low_c=tuple(round(fahrenheit_to_celsius(f), 3) for f in MEMPHIS_LOW_F),
    monthly_high_c=tuple(round(fahrenheit_to_celsius(f), 3) for f in MEMPHIS_HIGH_F),
    # Central Standard Time; the engine works in local standard time all year (no DST), which
    # shifts the diurnal shape by one hour in summer, well inside the uncertainty of the shape.
    utc_offset_hours=-6.0,
    # Minimum near 06:00 and maximum near 15:00 local: typical diurnal shape (U, factors.md §10).
    min_hour_local=6,
    max_hour_local=15,
    source=MEMPHIS_SOURCE,
)


def has_climate(climate: ClimateInput) -> bool:
    """True when the input carries either monthly normals or an hourly series."""
    return bool(climate.hourly_temp_c) or bool(climate.monthly_low_c)


def _month_midpoints(months: np.ndarray) -> np.ndarray:
    """Mid-point (datetime64[m]) of each calendar month in ``months`` (datetime64[M])."""
    first = months.astype("datetime64[m]")
    after = (months + 1).astype("datetime64[m]")
    return first + (after - first) // 2


def monthly_weights(climate: ClimateInput, tb: TimeBase) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every step: month index before, month index after (0 = Jan) and the weight of the
    second, interpolating between month mid-points in local time."""
    offset = np.timedelta64(int(round(climate.utc_offset_hours * 60)), "m")
    local = tb.timestamps + offset
    month = local.astype("datetime64[M]")
    mid = _month_midpoints(month)
    after_mid = local >= mid
    m0 = np.where(after_mid, month, month - 1)
    m1 = m0 + 1
    t0 = _month_midpoints(m0)
    t1 = _month_midpoints(m1)
    weight = (local - t0).astype(float) / (t1 - t0).astype(float)
    return m0.astype(np.int64) % 12, m1.astype(np.int64) % 12, weight


def diurnal_fraction(climate: ClimateInput, tb: TimeBase) -> np.ndarray:
    """0 at the daily minimum hour, 1 at the maximum hour, half-cosine in between."""
    hour = tb.local_hour(climate.utc_offset_hours)
    rise_span = (climate.max_hour_local - climate.min_hour_local) % 24
    fall_span = 24 - rise_span
    since_min = (hour - climate.min_hour_local) % 24
    rising = since_min <= rise_span
    return np.where(
        rising,
        (1.0 - np.cos(np.pi * since_min / rise_span)) / 2.0,
        (1.0 + np.cos(np.pi * (since_min - rise_span) / fall_span)) / 2.0,
    )


def temperature_c(climate: ClimateInput, tb: TimeBase) -> Any:
    """Outdoor temperature per step, °C; an array of NaN when the facility has no climate data.

    Values of ``climate`` may be per-sample (samples, 1) columns; the result then has shape
    (samples, steps).
    """
    if climate.hourly_temp_c:
        index = ((tb.minutes - tb.minutes[0]) // 60).astype(np.int64)
        return gather(climate.hourly_temp_c, index)
    if not climate.monthly_low_c:
        return np.full(tb.n_steps, np.nan)
    m0, m1, w = monthly_weights(climate, tb)
    low = gather(climate.monthly_low_c, m0) * (1.0 - w) + gather(climate.monthly_low_c, m1) * w
    high = gather(climate.monthly_high_c, m0) * (1.0 - w) + gather(climate.monthly_high_c, m1) * w
    return low + (high - low) * diurnal_fraction(climate, tb)
