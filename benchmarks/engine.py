"""Engine speed benchmark. Run: .venv/bin/python benchmarks/engine.py [--repeat N]

The facility is the cited Memphis seed (impact/seed.py) with its active scenarios, turned into
the engine's inputs the way a report run gets them (seed rows -> snapshot -> engine dataclasses,
impact/adapters.py). The rows are written to an in-memory SQLite database, never the site's own.

Prints, in one run:
 1. calendar year 2025 (Memphis local time) at hourly resolution with 1,000 Monte Carlo samples,
    base + every seed scenario, and again with only the scenarios that change load or dispatch;
 2. the same year computed by the plain-Python loop (one sample, central values), and the ratio
    of the loop to the vectorised engine's time per sample;
 3. a year at 1-minute resolution, central values only;
and the peak traced memory of each (tracemalloc, measured in a separate pass so tracing does not
slow the timed pass). Timings are the best of --repeat runs, wall clock and process CPU time:
on a shared machine CPU time is the steadier figure. Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# The seed is written to a throwaway database: never to the site's own, whatever the environment says.
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from impact import adapters  # noqa: E402
from impact.engine import ENGINE_VERSION, Period, RunOptions, apply_scenario, compute, compute_reference_loop  # noqa: E402
from impact.engine.montecarlo import median_facility, physics_signature  # noqa: E402
from impact.seed import load_memphis  # noqa: E402


def memphis():
    """(engine facility, engine scenarios, time zone) of the Memphis seed, as a report run sees them."""
    # Tables straight from the models: the migrations' data steps (roles, schedules) are not needed
    # for the seed and would take ten times as long.
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    facility, _ = load_memphis()
    snapshot = adapters.facility_snapshot(adapters.load_facility(facility.slug))
    return adapters.engine_facility(snapshot), adapters.engine_scenarios(snapshot), facility.zone


def year_2025(zone, step_minutes: int = 60) -> Period:
    """Calendar year 2025 between local midnights, as the engine's UTC period (as a report's)."""
    start, end = (dt.datetime(year, 1, 1, tzinfo=zone).astimezone(dt.timezone.utc) for year in (2025, 2026))
    return Period(start, end, step_minutes)


def changes_the_physics(facility, scenario) -> bool:
    """Whether the scenario changes load or dispatch, i.e. cannot reuse the base's Monte Carlo simulation."""
    variant, _ = apply_scenario(facility, scenario)
    return physics_signature(variant) != physics_signature(facility)


def best_of(repeat: int, fn):
    """(best wall s, best CPU s, last result) over ``repeat`` calls."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus), result


def peak_mib(fn) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (best is reported)")
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()

    facility, scenarios, zone = memphis()
    year = year_2025(zone)
    mc = RunOptions(monte_carlo_samples=args.samples, seed=12345)
    variants = 1 + len(scenarios)
    print(f"engine {ENGINE_VERSION}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"facility: {facility.name} (impact/seed.py); {len(facility.uncertainties)} uncertain inputs; "
          f"scenarios: {', '.join(s.name for s in scenarios)}")

    compute(facility, year, RunOptions(monte_carlo_samples=50), scenarios)  # warm-up (imports, caches)

    # 1. Year, hourly, Monte Carlo, base + scenarios.
    wall, cpu, result = best_of(args.repeat, lambda: compute(facility, year, mc, scenarios))
    mem = peak_mib(lambda: compute(facility, year, mc, scenarios))
    co2e = result.base.metrics["co2e_total_t"]
    print(f"\n1. year hourly ({result.base.series.n_steps} steps) × {args.samples} samples × {variants} variants")
    print(f"   wall {wall:.3f} s, CPU {cpu:.3f} s (target < 1 s); peak traced memory {mem:.0f} MiB")
    print(f"   base CO2e {co2e.value:,.0f} t (p5 {co2e.p5:,.0f}, p50 {co2e.p50:,.0f}, p95 {co2e.p95:,.0f})")
    per_sample = wall / (args.samples * variants)
    # A scenario that changes only emission factors reuses the base's Monte Carlo simulation;
    # time the scenarios that change the physics on their own as well.
    physics = tuple(s for s in scenarios if changes_the_physics(facility, s))
    wall_p, cpu_p, _ = best_of(args.repeat, lambda: compute(facility, year, mc, physics))
    print(f"   base + the {len(physics)} scenarios that change load or dispatch ({', '.join(s.name for s in physics)}): "
          f"wall {wall_p:.3f} s, CPU {cpu_p:.3f} s")

    # 2. Plain-Python loop, one sample (central), and a central-only vectorised run for reference.
    # The engine's central run puts every uncertain input at its median; the loop takes inputs as
    # given, so it is handed the same median facility.
    at_medians = median_facility(facility)
    loop_wall, loop_cpu, loop = best_of(max(1, min(args.repeat, 3)), lambda: compute_reference_loop(at_medians, year))
    central_wall, central_cpu, central = best_of(args.repeat, lambda: compute(facility, year))
    agree = abs(loop["co2e_total_t"] - central.base.metric("co2e_total_t")) / loop["co2e_total_t"]
    print(f"\n2. plain-Python loop over {result.base.series.n_steps} hours, one sample: wall {loop_wall:.3f} s")
    print(f"   vectorised, per sample inside the Monte Carlo run: {per_sample * 1e3:.3f} ms "
          f"-> ratio {loop_wall / per_sample:,.0f}x (must be >= 50x)")
    print(f"   vectorised central run alone (validation, series, checks included): {central_wall * 1e3:.1f} ms "
          f"-> ratio {loop_wall / central_wall:,.0f}x")
    print(f"   loop and engine agree on CO2e to {agree:.1e} relative")

    # 3. Year at 1-minute resolution, central only.
    minute = year_2025(zone, step_minutes=1)
    min_wall, min_cpu, min_result = best_of(max(1, min(args.repeat, 3)), lambda: compute(facility, minute))
    min_mem = peak_mib(lambda: compute(facility, minute))
    print(f"\n3. year at 1-minute resolution ({min_result.base.series.n_steps:,} steps), central only")
    print(f"   wall {min_wall:.3f} s, CPU {min_cpu:.3f} s; peak traced memory {min_mem:.0f} MiB")


if __name__ == "__main__":
    main()
