"""Frozen result dataclasses returned by :func:`impact.engine.compute`.

Everything except the time series is JSON-serialisable through ``to_dict()``; the series go to CSV
or database columns through :meth:`Series.columns`.
"""

from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .inputs import Period


def _plain(value: Any) -> Any:
    """numpy scalars -> Python numbers, NaN/inf -> None, so json.dumps never chokes."""
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    return value


@dataclass(frozen=True)
class Series:
    """Per-step arrays of one run, all of length n_steps (step start times in ``timestamps``).

    Powers are step averages in MW, masses kg per step, water litres per step, fuel per step.
    ``facility_load_mw`` and ``it_load_mw`` are served load; ``demand_mw`` is the modelled demand
    and ``unserved_mw`` the part of it no supply could deliver (a diagnostic). The balance is
    grid_mw + onsite_mw + battery_discharge_mw − battery_charge_mw = facility_load_mw.
    ``onsite_mw`` is on-site generation that serves the load; ``surplus_mw`` is generation above
    the load forced by minimum-load limits (fuel is still burned for it).
    """

    timestamps: np.ndarray  # datetime64[m], naive UTC
    temperature_c: np.ndarray
    utilisation: np.ndarray  # accelerator-weighted (by TDP) mean utilisation, fraction
    pue: np.ndarray
    it_load_mw: np.ndarray
    facility_load_mw: np.ndarray
    grid_capacity_mw: np.ndarray
    grid_mw: np.ndarray
    onsite_mw: np.ndarray
    surplus_mw: np.ndarray
    unserved_mw: np.ndarray
    fuel_mmbtu: np.ndarray
    fuel_scf: np.ndarray
    water_onsite_l: np.ndarray
    water_generation_l: np.ndarray | None  # None: the facility gives no generation-water rate
    generator_mw: dict[str, np.ndarray]
    generator_units_running: dict[str, np.ndarray]
    onsite_kg: dict[str, np.ndarray]
    grid_kg: dict[str, np.ndarray]
    generator_slugs: dict[str, str] = field(default_factory=dict)
    demand_mw: np.ndarray | None = None
    battery_discharge_mw: np.ndarray | None = None
    battery_charge_mw: np.ndarray | None = None
    battery_soc_mwh: np.ndarray | None = None
    accelerators_energised: np.ndarray | None = None
    grid_market_kg: dict[str, np.ndarray] = field(default_factory=dict)  # CO2 and CO2e, market-based

    @property
    def n_steps(self) -> int:
        return int(self.timestamps.shape[0])

    def columns(self) -> "OrderedDict[str, np.ndarray]":
        """Ordered column name -> 1-D array, units in the names, for CSV export and storage."""
        cols: OrderedDict[str, np.ndarray] = OrderedDict()
        cols["timestamp_utc"] = self.timestamps
        # Without climate data the temperature is unknown (NaN); leave the column out rather
        # than export NaN, which JSON and most databases reject.
        if not np.all(np.isnan(self.temperature_c)):
            cols["temperature_c"] = self.temperature_c
        for name in (
            "pue", "demand_mw", "it_load_mw", "facility_load_mw", "grid_capacity_mw",
            "grid_mw", "onsite_mw", "battery_discharge_mw", "battery_charge_mw", "battery_soc_mwh",
            "surplus_mw", "unserved_mw", "fuel_mmbtu", "fuel_scf",
            "water_onsite_l",
        ):
            value = getattr(self, name)
            cols[name] = value if value is not None else np.zeros(self.n_steps)
        if self.water_generation_l is not None:  # not estimated is no column, not a column of zeros
            cols["water_generation_l"] = self.water_generation_l
        cols["utilisation_fraction"] = self.utilisation
        if self.accelerators_energised is not None:
            cols["accelerators_energised"] = self.accelerators_energised
        for name, power in self.generator_mw.items():
            slug = self.generator_slugs.get(name, name)
            cols[f"gen_{slug}_mw"] = power
            cols[f"gen_{slug}_units_running"] = self.generator_units_running[name]
        for pollutant, mass in self.onsite_kg.items():
            cols[f"onsite_{pollutant}_kg"] = mass
        for pollutant, mass in self.grid_kg.items():
            cols[f"grid_{pollutant}_kg"] = mass
        for pollutant, mass in self.grid_market_kg.items():
            cols[f"grid_market_{pollutant}_kg"] = mass
        return cols


@dataclass(frozen=True)
class Metric:
    """One headline number; p5/p50/p95 are Monte Carlo percentiles (None when MC is off)."""

    key: str
    label: str
    unit: str
    value: float
    p5: float | None = None
    p50: float | None = None
    p95: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _plain(dataclasses.asdict(self))


@dataclass(frozen=True)
class GeneratorStats:
    """Operating statistics of one generator group over the period.

    ``load_factor_per_unit`` is the mean loading while running (energy ÷ (unit run-hours × rated
    MW)); ``capacity_factor`` is energy ÷ (unit_count × rated MW × period hours).
    """

    name: str
    kind: str
    unit_count: int
    run_hours_per_unit: float
    starts_per_unit: float
    load_factor_per_unit: float
    energy_mwh: float
    fuel_mmbtu: float
    capacity_factor: float = 0.0
    available_units: int = 0
    surplus_mwh: float = 0.0
    starts: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return _plain(dataclasses.asdict(self))


@dataclass(frozen=True)
class Comparison:
    """A resident-scale comparison with its basis, source and status (S / 2° / U / D)."""

    key: str
    label: str
    value: float
    unit: str
    basis: str
    source: str
    status: str

    def to_dict(self) -> dict[str, Any]:
        return _plain(dataclasses.asdict(self))


@dataclass(frozen=True)
class Driver:
    """One uncertain input ranked by |Spearman rho| against total CO2e (and facility energy)."""

    path: str
    label: str
    spearman_rho: float
    spearman_rho_energy: float = 0.0
    low: float = 0.0
    high: float = 0.0
    distribution: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _plain(dataclasses.asdict(self))


def period_to_dict(period: Period) -> dict[str, Any]:
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "step_minutes": period.step_minutes,
    }


@dataclass(frozen=True)
class EngineResult:
    """Everything computed for one facility variant (the base or one scenario)."""

    scenario_name: str
    engine_version: str
    gwp_set: str
    period: Period
    series: Series
    metrics: dict[str, Metric]
    generators: tuple[GeneratorStats, ...]
    comparisons: tuple[Comparison, ...]
    drivers: tuple[Driver, ...]
    checks: dict[str, Any]
    gwp: dict[str, Any] = field(default_factory=dict)
    # Every emission factor and rate the run used: scope, part, pollutant, regime, value, unit,
    # basis, path (the input's dotted path), fuel_share, note, source.
    methods: tuple[dict[str, Any], ...] = ()

    def metric(self, key: str) -> float:
        """Central value of one metric."""
        return self.metrics[key].value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of everything but the series."""
        return {
            "scenario_name": self.scenario_name,
            "engine_version": self.engine_version,
            "gwp_set": self.gwp_set,
            "gwp": _plain(self.gwp),
            "period": period_to_dict(self.period),
            "metrics": {key: m.to_dict() for key, m in self.metrics.items()},
            "generators": [g.to_dict() for g in self.generators],
            "comparisons": [c.to_dict() for c in self.comparisons],
            "drivers": [d.to_dict() for d in self.drivers],
            "checks": _plain(self.checks),
            "methods": [_plain(m) for m in self.methods],
        }


@dataclass(frozen=True)
class RunResult:
    """The base result, one result per scenario, and the side-by-side table.

    ``comparison_rows`` holds (metric key, label, unit, base value, {scenario name: value}).
    """

    base: EngineResult
    scenarios: dict[str, EngineResult]
    comparison_rows: list[tuple[str, str, str, float, dict[str, float]]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base.to_dict(),
            "scenarios": {name: r.to_dict() for name, r in self.scenarios.items()},
            "comparison_rows": [
                {"key": k, "label": label, "unit": unit, "base": _plain(base), "scenarios": _plain(values)}
                for k, label, unit, base, values in self.comparison_rows
            ],
        }
