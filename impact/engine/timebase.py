"""The time axis of a run: step timestamps (UTC) and helpers that turn aware datetimes and
local-time rules into boolean masks and fractional hours.

Every quantity is evaluated at the *start* of its step and held for the step; contracts,
availability windows and downtime switch at the first step starting at or after their boundary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .inputs import Period

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def epoch_seconds(moment: dt.datetime) -> float:
    """Seconds since 1970-01-01 UTC of an aware datetime."""
    return (moment - _EPOCH).total_seconds()


@dataclass(frozen=True)
class TimeBase:
    """Step start times of a :class:`Period` as numpy arrays."""

    start: dt.datetime
    step_minutes: int
    n_steps: int
    timestamps: np.ndarray  # datetime64[m], naive UTC
    minutes: np.ndarray  # int64 minutes since the Unix epoch, UTC

    @property
    def step_hours(self) -> float:
        return self.step_minutes / 60.0

    @property
    def period_hours(self) -> float:
        return self.n_steps * self.step_hours

    def window_mask(self, starts: dt.datetime | None, ends: dt.datetime | None) -> np.ndarray:
        """True for steps starting in [starts, ends); None means open-ended."""
        seconds = self.minutes * 60
        mask = np.ones(self.n_steps, dtype=bool)
        if starts is not None:
            mask &= seconds >= epoch_seconds(starts)
        if ends is not None:
            mask &= seconds < epoch_seconds(ends)
        return mask

    def local_minutes(self, utc_offset_hours: float) -> np.ndarray:
        """Minutes since the epoch in local standard time (no daylight saving)."""
        return self.minutes + int(round(utc_offset_hours * 60))

    def local_hour(self, utc_offset_hours: float) -> np.ndarray:
        """Fractional hour of the local day, 0 <= h < 24."""
        return (self.local_minutes(utc_offset_hours) % 1440) / 60.0


def make_timebase(period: Period) -> TimeBase:
    """Build the time axis; ``period`` must already be valid (see validation.validate_period)."""
    start_utc = period.start.astimezone(dt.timezone.utc)
    n_steps = int((period.end - period.start).total_seconds() // 60) // period.step_minutes
    first = np.datetime64(start_utc.replace(tzinfo=None), "m")
    offsets = np.arange(n_steps, dtype=np.int64) * period.step_minutes
    timestamps = first + offsets.astype("timedelta64[m]")
    minutes = timestamps.astype(np.int64)
    return TimeBase(start_utc, period.step_minutes, n_steps, timestamps, minutes)


def is_scalar(value: Any) -> bool:
    """True for a plain number (central run); False for a per-sample numpy column."""
    return np.ndim(value) == 0


def gather(values: Sequence[Any], index: np.ndarray) -> np.ndarray:
    """``values[index]`` where each value may be a number or a (samples, 1) column.

    With plain numbers this is one fancy-index; with sampled columns it builds the
    (samples, steps) array by summing one masked term per entry (used only when an input inside
    a list, such as a monthly normal, is itself uncertain).
    """
    if all(is_scalar(v) for v in values):
        return np.asarray(values, dtype=float)[index]
    out = 0.0
    for k, v in enumerate(values):
        out = out + np.asarray(v, dtype=float) * (index == k)
    return out


def per_sample(value: Any) -> Any:
    """A (samples, 1) input column as a (samples,) vector to multiply with per-run totals;
    plain numbers pass through unchanged."""
    if np.ndim(value) == 2:
        return np.asarray(value)[:, 0]
    return value
