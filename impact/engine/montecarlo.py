"""Monte Carlo over the :class:`Uncertain` inputs, vectorised over samples.

Samples are processed in chunks of about CHUNK_ELEMENTS (samples × steps) values so the working
arrays stay in cache; each chunk substitutes (chunk, 1) columns for the uncertain inputs and runs
the same :func:`physics.simulate` as the central run.
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from typing import Any

import numpy as np

from .inputs import FacilityInput, FuelInput, Uncertain
from .paths import get_path, set_paths
from .physics import BatteryRun, Cache, GeneratorRun, Simulation, simulate, totals
from .timebase import TimeBase

# ~1 MB of float64 per working array: fits a typical L2/L3 slice, measured fastest on the
# 2-core benchmark machine (see docs/benchmarks.md).
CHUNK_ELEMENTS = 1 << 17


def draw(unc: Uncertain, central: float, n: int, seed: int) -> np.ndarray:
    """``n`` samples of one input. Each path gets its own stream seeded by (seed, crc32(path)),
    so the base and every scenario see the same draws for the same input (common random
    numbers), whatever else they add or drop."""
    rng = np.random.default_rng([seed, zlib.crc32(unc.path.encode("utf-8"))])
    if unc.high == unc.low:
        return np.full(n, float(unc.low))
    if unc.distribution == "uniform":
        return rng.uniform(unc.low, unc.high, n)
    return rng.triangular(unc.low, float(central), unc.high, n)


def median(unc: Uncertain, central: float) -> float:
    """Median of an input's distribution: (low + high) / 2 for a uniform one; for a triangular
    one with mode c on [a, b], a + √((b − a)(c − a)/2) when c ≥ (a + b)/2, else
    b − √((b − a)(b − c)/2)."""
    a, b, c = float(unc.low), float(unc.high), float(central)
    if b == a:
        return a
    if unc.distribution == "uniform":
        return (a + b) / 2.0
    if c >= (a + b) / 2.0:
        return a + math.sqrt((b - a) * (c - a) / 2.0)
    return b - math.sqrt((b - a) * (b - c) / 2.0)


def linked(values: dict[str, Any], facility: FacilityInput) -> dict[str, Any]:
    """Give each uncertainty's ``also_paths`` the same value as its own path (one draw for one
    physical quantity)."""
    out = dict(values)
    for unc in facility.uncertainties:
        if unc.path in values:
            for other in unc.also_paths:
                out[other] = values[unc.path]
    return out


def median_facility(facility: FacilityInput) -> FacilityInput:
    """The facility with every uncertain input (and its linked paths) at its median."""
    values = {unc.path: median(unc, get_path(facility, unc.path)) for unc in facility.uncertainties}
    return set_paths(facility, linked(values, facility))


# Inputs that change only what energy and fuel are multiplied by (emission factors and rates,
# water intensities, Part 98 fuel factors), never the load or the dispatch. Two variants whose
# facilities differ only here share one Monte Carlo simulation (see physics_signature).
_ACCOUNTING_ONLY = ("grid.emission_rates_lb_per_mwh", "grid.generation_water_l_per_kwh", "grid.utility",
                    "cooling.wue_l_per_kwh", "fuel", "name", "climate.source")
# (Part-load and startup factors stay in the signature by their keys, which decide whether the
# simulation sums fuel by load band; controls_from decides the controlled-fuel split.)
_GENERATOR_ACCOUNTING_ONLY = ("emission_factors_lb_per_mmbtu", "controls", "controlled_factors_lb_per_mmbtu",
                              "limit_factors_g_per_bhp_hr", "startup_lb_per_event")


def _accounting_only(path: str) -> bool:
    parts = path.split(".")
    if parts[0] == "generators" and len(parts) > 2 and parts[2] in _GENERATOR_ACCOUNTING_ONLY + (
            "part_load_factors_lb_per_mmbtu", "shaft_to_electric_efficiency"):
        return True
    return any(path == p or path.startswith(p + ".") for p in _ACCOUNTING_ONLY)


def _uncertainty_accounting_only(unc: Uncertain) -> bool:
    return all(_accounting_only(p) for p in (unc.path, *unc.also_paths))


def physics_signature(facility: FacilityInput) -> FacilityInput:
    """The facility with every accounting-only input blanked: two facilities with equal
    signatures (and the same seed, period and sample count) simulate identically, sample by sample,
    because each uncertain input's draws depend only on its path and the seed."""
    return dataclasses.replace(
        facility,
        name="",
        grid=dataclasses.replace(facility.grid, utility="", emission_rates_lb_per_mwh={},
                                 generation_water_l_per_kwh=None),
        cooling=dataclasses.replace(facility.cooling, wue_l_per_kwh=0.0),
        fuel=FuelInput(),
        climate=dataclasses.replace(facility.climate, source=""),
        generators=tuple(dataclasses.replace(
            g, emission_factors_lb_per_mmbtu={}, controls="", controlled_factors_lb_per_mmbtu={},
            limit_factors_g_per_bhp_hr={}, startup_lb_per_event={},
            part_load_factors_lb_per_mmbtu={k: 0.0 for k in g.part_load_factors_lb_per_mmbtu},
            shaft_to_electric_efficiency=1.0)
            for g in facility.generators),
        uncertainties=tuple(u for u in facility.uncertainties if not _uncertainty_accounting_only(u)),
    )


def run_monte_carlo(facility: FacilityInput, tb: TimeBase, gwp: dict[str, Any], n: int, seed: int,
                    shared: list | None = None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Return (draws by path, metric samples by key), each array of length ``n``.

    ``shared`` (a list kept by the caller across the base and its scenarios) lets a variant
    that differs only in accounting inputs reuse an earlier variant's per-sample simulation and
    recompute just the totals.
    """
    draws = {
        unc.path: draw(unc, get_path(facility, unc.path), n, seed) for unc in facility.uncertainties
    }
    signature = physics_signature(facility) if shared is not None else None
    merged = next((cached for sig, cached in (shared or ()) if sig == signature), None)
    if merged is None:
        merged = _simulate_chunks(facility, tb, n, draws)
        if shared is not None:
            shared.append((signature, merged))
    # Totals are cheap per-sample vector arithmetic: one call for all samples.
    sampled = set_paths(facility, linked({path: values[:, None] for path, values in draws.items()}, facility))
    result = totals(merged, sampled, tb, gwp)
    return draws, {key: np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()
                   for key, value in result.items()}


_GENERATOR_TOTALS = ("energy_mwh", "served_mwh", "fuel_total_mmbtu", "fuel_controlled_mmbtu", "fuel_part_mmbtu",
                     "fuel_controlled_part_mmbtu", "starts")


def _simulate_chunks(facility: FacilityInput, tb: TimeBase, n: int, draws: dict[str, np.ndarray]) -> Simulation:
    """Simulate all samples chunk by chunk; return one Simulation whose sums and generator and
    battery totals are (n,) vectors."""
    chunk = max(1, CHUNK_ELEMENTS // max(tb.n_steps, 1))
    cache = Cache(reuse_buffers=True)
    sums: dict[str, list[np.ndarray]] = {}
    generator_parts: list[list[list[np.ndarray]]] = [[] for _ in facility.generators]
    battery_parts: list[list[list[np.ndarray]]] = [[] for _ in facility.batteries]
    for lo in range(0, n, chunk):
        size = min(n, lo + chunk) - lo
        values = {path: v[lo:lo + size, None] for path, v in draws.items()}
        sampled = set_paths(facility, linked(values, facility))
        sim = simulate(sampled, tb, full=False, cache=cache)
        for key, value in sim.sums.items():
            sums.setdefault(key, []).append(_vector(value, size))
        for parts, run in zip(generator_parts, sim.generators):
            parts.append([_vector(getattr(run, name), size) for name in _GENERATOR_TOTALS])
        for parts, run in zip(battery_parts, sim.batteries):
            parts.append([_vector(run.discharge_mwh, size), _vector(run.charge_mwh, size)])
    runs = [
        GeneratorRun(gen, **{name: np.concatenate([p[i] for p in parts]) for i, name in enumerate(_GENERATOR_TOTALS)})
        for gen, parts in zip(facility.generators, generator_parts)
    ]
    batteries = [
        BatteryRun(battery, *(np.concatenate([p[i] for p in parts]) for i in range(2)))
        for battery, parts in zip(facility.batteries, battery_parts)
    ]
    return Simulation({key: np.concatenate(chunks) for key, chunks in sums.items()}, runs, batteries)


def _vector(value: Any, size: int) -> np.ndarray:
    """A per-chunk total (a number or a (size,) vector) as a (size,) vector."""
    return np.broadcast_to(np.asarray(value, dtype=float).reshape(-1), (size,))


def ranks(values: np.ndarray) -> np.ndarray:
    """0-based ranks via a double argsort (ties broken by order; continuous draws have none)."""
    order = np.argsort(values, kind="stable")
    out = np.empty(len(values), dtype=float)
    out[order] = np.arange(len(values), dtype=float)
    return out


def spearman_rho(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (Pearson on ranks); 0 when either side does not vary."""
    if len(x) < 2 or not np.all(np.isfinite(y)):
        return 0.0
    rx = ranks(x) - (len(x) - 1) / 2.0
    ry = ranks(y) - (len(y) - 1) / 2.0
    denom = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    if denom == 0 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    return float((rx * ry).sum() / denom)
