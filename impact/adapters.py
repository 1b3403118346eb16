"""Between the database and the engine.

``facility_snapshot()`` freezes a facility's rows into plain JSON: the exact inputs a run used, kept
on the run for provenance and hashed to tell runs apart. ``engine_facility()`` turns a snapshot back
into the engine's frozen dataclasses, so a run computes from its snapshot, never from rows that
may have changed since it was requested.
"""

import datetime as dt
import hashlib
import json

from impact.engine import inputs as ei
from impact.engine.errors import EngineInputError
from impact.engine.paths import get_path, set_path
from impact.engine.validation import validate
from impact.models import Assumption, Facility

# 2: fleets with host power per server and dated stages, batteries, dated/typed generator controls,
# load-band, limit and startup factors, grid rates by scope-2 basis with their vintage, linked
# uncertainties. Format 1 snapshots (older runs, which a retry recomputes) still convert.
SNAPSHOT_FORMAT = 2

# Model field → engine path segment, where the names differ.
FLEET_FIELDS = {
    "accelerator_count": "accelerator_count",
    "tdp_w": "tdp_w",
    "idle_w": "idle_w",
    "host_idle_w_per_server": "host_idle_w_per_server",
    "host_max_w_per_server": "host_max_w_per_server",
    "accelerators_per_server": "accelerators_per_server",
    "network_storage_share": "network_storage_share",
    "mean_utilisation": "utilisation.mean_utilisation",
    "diurnal_amplitude": "utilisation.diurnal_amplitude",
}
GENERATOR_FIELDS = (
    "unit_count", "rated_mw", "min_load_fraction", "heat_rate_btu_per_kwh", "availability", "shaft_to_electric_efficiency",
)
# Emission-factor field → the generator's mapping it fills.
FACTOR_FIELDS = {
    "lb_per_mmbtu": "emission_factors_lb_per_mmbtu",
    "controlled_lb_per_mmbtu": "controlled_factors_lb_per_mmbtu",
    "part_load_lb_per_mmbtu": "part_load_factors_lb_per_mmbtu",
    "limit_g_per_bhp_hr": "limit_factors_g_per_bhp_hr",
    "startup_lb_per_event": "startup_lb_per_event",
}
BATTERY_FIELDS = ("power_mw", "energy_mwh", "round_trip_efficiency", "initial_state_of_charge")
RATE_MAPPINGS = {"location": "emission_rates_lb_per_mwh", "market": "market_rates_lb_per_mwh"}
# Format 1 fleets gave server overhead per accelerator, scaled by the accelerator's load ratio;
# that is host power per server of overhead × 8 at full load and × idle/TDP of it at idle.
FORMAT_1_ACCELERATORS_PER_SERVER = 8


def _iso(value):
    return value.astimezone(dt.timezone.utc).isoformat() if value else None


def _parse_dt(value):
    return dt.datetime.fromisoformat(value) if value else None


def facility_snapshot(facility):
    """Every input of ``facility`` as JSON-safe data, with its assumptions and active scenarios."""
    return _snapshot_with_paths(facility)[0]


def _snapshot_with_paths(facility):
    """The snapshot and the engine path of every (model, pk, field) in it (see _engine_paths)."""
    fleets = list(facility.fleets.prefetch_related("downtimes", "stages"))
    generators = list(facility.generators.prefetch_related("emission_factors"))
    batteries = list(facility.batteries.all())
    cooling = getattr(facility, "cooling", None)
    grid = getattr(facility, "grid", None)
    contracts = list(grid.contracts.order_by("starts", "id")) if grid else []
    rates = list(grid.emission_rates.all()) if grid else []
    paths = _engine_paths(facility, fleets, generators, batteries, cooling, grid, contracts, rates)

    assumptions, uncertainties = _assumptions(facility, paths)
    facility_data = {
        "name": facility.name,
        "fleets": [_fleet_data(f) for f in fleets],
        "cooling": {
            "pue_at_reference": cooling.pue_at_reference,
            "pue_reference_temp_c": cooling.pue_reference_temp_c,
            "pue_slope_per_degc": cooling.pue_slope_per_degc,
            "wue_l_per_kwh": cooling.wue_l_per_kwh,
        }
        if cooling
        else None,
        "grid": {
            "utility": grid.utility if grid else "none",
            "contracts": [_contract_data(c) for c in contracts],
            "emission_rates_lb_per_mwh": {r.pollutant: r.lb_per_mwh for r in rates if r.basis == "location"},
            "market_rates_lb_per_mwh": {r.pollutant: r.lb_per_mwh for r in rates if r.basis == "market"},
            # Provenance of each rate: which basis and which edition (not read by the engine).
            "rates": [
                {"pollutant": r.pollutant, "basis": r.basis, "lb_per_mwh": r.lb_per_mwh, "vintage": r.vintage}
                for r in sorted(rates, key=lambda r: (r.basis, r.pollutant))
            ],
            "generation_water_l_per_kwh": grid.generation_water_l_per_kwh if grid else None,
        },
        "generators": [_generator_data(g) for g in generators],
        "batteries": [_battery_data(b) for b in batteries],
        "fuel": {"hhv_btu_per_scf": facility.gas_hhv_btu_per_scf},
        "climate": {
            "monthly_low_c": list(facility.climate_monthly_low_c or []),
            "monthly_high_c": list(facility.climate_monthly_high_c or []),
            "utc_offset_hours": _standard_offset_hours(facility),
            "source": str(facility.climate_source) if facility.climate_source else "",
        },
        "uncertainties": uncertainties,
    }
    snapshot = {
        "format": SNAPSHOT_FORMAT,
        "facility": facility_data,
        "facility_slug": facility.slug,
        "time_zone": facility.time_zone,
        "assumptions": assumptions,
        "scenarios": [
            {"name": s.name, "slug": s.slug, "description": s.description, "overrides": s.overrides}
            for s in facility.scenarios.filter(is_active=True).order_by("name")
        ],
    }
    return snapshot, paths


def _engine_paths(facility, fleets, generators, batteries, cooling, grid, contracts, rates):
    """Engine path of every (model, pk, field) that can carry an assumption."""
    paths = {("facility", facility.pk, "gas_hhv_btu_per_scf"): "fuel.hhv_btu_per_scf"}
    for i, fleet in enumerate(fleets):
        for field, sub in FLEET_FIELDS.items():
            paths[("computefleet", fleet.pk, field)] = f"fleets.{i}.{sub}"
        for j, stage in enumerate(fleet.stages.all()):
            paths[("fleetstage", stage.pk, "accelerator_count")] = f"fleets.{i}.stages.{j}.accelerator_count"
            if _stage_overrides_utilisation(stage):
                paths[("fleetstage", stage.pk, "mean_utilisation")] = f"fleets.{i}.stages.{j}.utilisation.mean_utilisation"
    if cooling:
        for field in ("pue_at_reference", "pue_reference_temp_c", "pue_slope_per_degc", "wue_l_per_kwh"):
            paths[("cooling", cooling.pk, field)] = f"cooling.{field}"
    if grid:
        paths[("gridsupply", grid.pk, "generation_water_l_per_kwh")] = "grid.generation_water_l_per_kwh"
    for j, contract in enumerate(contracts):
        paths[("gridcontract", contract.pk, "capacity_mw")] = f"grid.contracts.{j}.capacity_mw"
    for rate in rates:
        paths[("gridemissionrate", rate.pk, "lb_per_mwh")] = f"grid.{RATE_MAPPINGS[rate.basis]}.{rate.pollutant}"
    for k, gen in enumerate(generators):
        for field in GENERATOR_FIELDS:
            paths[("generatorgroup", gen.pk, field)] = f"generators.{k}.{field}"
        for factor in gen.emission_factors.all():
            for field, mapping in FACTOR_FIELDS.items():
                if getattr(factor, field) is not None:
                    paths[("generatoremissionfactor", factor.pk, field)] = f"generators.{k}.{mapping}.{factor.pollutant}"
    for b, battery in enumerate(batteries):
        for field in BATTERY_FIELDS:
            paths[("batterystorage", battery.pk, field)] = f"batteries.{b}.{field}"
    return paths


def _assumptions(facility, paths):
    """The snapshot's assumption rows and the engine's uncertainties.

    An assumption linked to another (``same_quantity_as``) is one physical quantity with it: it
    gives no uncertainty of its own, and its path joins the other's ``also_paths``.
    """
    rows = []
    ranged = {}  # assumption id → its uncertainty
    linked = []  # (assumption, path) waiting for the uncertainty they share
    for a in facility.all_assumptions.select_related("content_type", "source", "same_quantity_as").order_by("id"):
        path = paths.get((a.content_type.model, a.object_id, a.field_name))
        if path is None:
            continue  # describes a row that is no longer part of the facility
        central = a.central
        row = {
            "path": path,
            "label": a.label or path,
            "unit": a.unit,
            "central": central,
            "low": a.low,
            "high": a.high,
            "distribution": a.distribution,
            "distribution_reason": a.distribution_reason,
            "status": a.status,
            "source": str(a.source) if a.source else "",
            "source_url": a.source.url if a.source else "",
            "source_section": a.source.section if a.source else "",
            "source_year": a.source.year if a.source else None,
            "note": a.note,
            "same_quantity_as": None,
            "also_paths": [],
        }
        rows.append((a, row))
        other = a.same_quantity_as
        if other is not None and paths.get((other.content_type.model, other.object_id, other.field_name)):
            linked.append((a, row))
            continue
        has_range = a.distribution != Assumption.Distribution.FIXED and a.low is not None and a.high is not None
        if has_range and a.low < a.high and central is not None:
            ranged[a.pk] = {
                "path": path, "low": a.low, "high": a.high, "distribution": a.distribution, "label": row["label"],
                "also_paths": [],
            }
    by_id = {a.pk: row for a, row in rows}
    for a, row in linked:
        primary = by_id.get(a.same_quantity_as_id)
        row["same_quantity_as"] = primary["path"] if primary else None
        if a.same_quantity_as_id in ranged:
            ranged[a.same_quantity_as_id]["also_paths"].append(row["path"])
            primary["also_paths"].append(row["path"])
            # The row shows the range it is drawn from: the one it shares.
            row.update(low=primary["low"], high=primary["high"], distribution=primary["distribution"])
    return [row for _, row in rows], list(ranged.values())


def _stage_overrides_utilisation(stage):
    return bool(stage.utilisation_kind) or stage.mean_utilisation is not None


def _utilisation_data(fleet, kind=None, mean=None):
    return {
        "kind": kind or fleet.utilisation_kind,
        "mean_utilisation": fleet.mean_utilisation if mean is None else mean,
        "diurnal_amplitude": fleet.diurnal_amplitude,
        "hourly_shape": list(fleet.hourly_shape or []),
        "planned_downtime": [[_iso(d.starts), _iso(d.ends)] for d in fleet.downtimes.all()],
    }


def _fleet_data(fleet):
    return {
        "name": fleet.name,
        "accelerator_count": fleet.accelerator_count,
        "tdp_w": fleet.tdp_w,
        "idle_w": fleet.idle_w,
        "host_idle_w_per_server": fleet.host_idle_w_per_server,
        "host_max_w_per_server": fleet.host_max_w_per_server,
        "accelerators_per_server": fleet.accelerators_per_server,
        "network_storage_share": fleet.network_storage_share,
        "utilisation": _utilisation_data(fleet),
        "stages": [
            {
                "starts": _iso(stage.starts),
                "accelerator_count": stage.accelerator_count,
                # A stage without its own kind or mean runs on the fleet's profile (None).
                "utilisation": _utilisation_data(fleet, stage.utilisation_kind, stage.mean_utilisation)
                if _stage_overrides_utilisation(stage)
                else None,
                "label": stage.label,
            }
            for stage in fleet.stages.all()
        ],
    }


def _contract_data(contract):
    return {"capacity_mw": contract.capacity_mw, "starts": _iso(contract.starts), "ends": _iso(contract.ends)}


def _generator_data(gen):
    factors = list(gen.emission_factors.all())

    def mapping(field):
        return {f.pollutant: getattr(f, field) for f in factors if getattr(f, field) is not None}

    return {
        "name": gen.name,
        "kind": gen.kind,
        "unit_count": gen.unit_count,
        "rated_mw": gen.rated_mw,
        "min_load_fraction": gen.min_load_fraction,
        "heat_rate_btu_per_kwh": gen.heat_rate_btu_per_kwh,
        "part_load_heat_rate": [list(p) for p in gen.part_load_heat_rate or []],
        "availability": gen.availability,
        "controls": gen.controls,
        "controls_from": _iso(gen.controls_from),
        "available_from": _iso(gen.available_from),
        "available_to": _iso(gen.available_to),
        "shaft_to_electric_efficiency": gen.shaft_to_electric_efficiency,
        **{mapping_name: mapping(field) for field, mapping_name in FACTOR_FIELDS.items()},
    }


def _battery_data(battery):
    return {
        "name": battery.name,
        "power_mw": battery.power_mw,
        "energy_mwh": battery.energy_mwh,
        "round_trip_efficiency": battery.round_trip_efficiency,
        "dispatch_rule": battery.dispatch_rule,
        "initial_state_of_charge": battery.initial_state_of_charge,
        "available_from": _iso(battery.available_from),
        "available_to": _iso(battery.available_to),
    }


def _standard_offset_hours(facility):
    """The zone's standard-time offset (January), which the diurnal temperature shape uses."""
    january = dt.datetime(2024, 1, 15, 12, tzinfo=facility.zone)
    return january.utcoffset().total_seconds() / 3600


def snapshot_hash(snapshot, period_key, options):
    """SHA-256 of the canonical JSON of everything that determines a run's numbers."""
    payload = {"snapshot": snapshot, "period": period_key, "options": options}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- snapshot → engine inputs -------------------------------------------------------------------


def _contract(data):
    return ei.GridContract(
        capacity_mw=float(data["capacity_mw"]), starts=_parse_dt(data.get("starts")), ends=_parse_dt(data.get("ends"))
    )


def _controls(value):
    """Typed controls; format 1 stored free text ("SCR")."""
    text = (value or "").strip().lower()
    if text in ei.CONTROLS:
        return text
    scr = "scr" in text or "selective catalytic" in text
    oxcat = "ox" in text or "cat" in text.replace("catalytic", "")
    return "scr_oxcat" if scr and oxcat else "scr" if scr else "oxcat" if oxcat else ""


def _floats(mapping):
    return {k: float(v) for k, v in (mapping or {}).items()}


def _optional_float(value):
    """A number, or None for a figure the facility does not give."""
    return None if value is None else float(value)


def _generator(data):
    return ei.GeneratorInput(
        name=data["name"],
        kind=data["kind"],
        unit_count=int(data["unit_count"]),
        rated_mw=float(data["rated_mw"]),
        min_load_fraction=float(data["min_load_fraction"]),
        heat_rate_btu_per_kwh=float(data["heat_rate_btu_per_kwh"]),
        emission_factors_lb_per_mmbtu=_floats(data.get("emission_factors_lb_per_mmbtu")),
        part_load_heat_rate=tuple(tuple(p) for p in data.get("part_load_heat_rate", [])),
        availability=float(data.get("availability", 1.0)),
        controls=_controls(data.get("controls", "")),
        controlled_factors_lb_per_mmbtu=_floats(data.get("controlled_factors_lb_per_mmbtu")),
        available_from=_parse_dt(data.get("available_from")),
        available_to=_parse_dt(data.get("available_to")),
        controls_from=_parse_dt(data.get("controls_from")),
        part_load_factors_lb_per_mmbtu=_floats(data.get("part_load_factors_lb_per_mmbtu")),
        limit_factors_g_per_bhp_hr=_floats(data.get("limit_factors_g_per_bhp_hr")),
        shaft_to_electric_efficiency=float(data.get("shaft_to_electric_efficiency", 0.97)),
        startup_lb_per_event=_floats(data.get("startup_lb_per_event")),
    )


def _utilisation(util):
    return ei.UtilisationProfile(
        kind=util.get("kind", "constant"),
        mean_utilisation=float(util.get("mean_utilisation", 0.8)),
        diurnal_amplitude=float(util.get("diurnal_amplitude", 0.25)),
        hourly_shape=tuple(float(v) for v in util.get("hourly_shape", [])),
        planned_downtime=tuple((_parse_dt(s), _parse_dt(e)) for s, e in util.get("planned_downtime", [])),
    )


def _host_power(data):
    """(idle, max) host power per server; format 1 fleets gave overhead per accelerator instead."""
    if "host_max_w_per_server" in data:
        return float(data.get("host_idle_w_per_server", 0.0)), float(data["host_max_w_per_server"])
    overhead = float(data.get("server_overhead_w_per_accelerator", 0.0))
    host_max = overhead * FORMAT_1_ACCELERATORS_PER_SERVER
    tdp, idle = float(data["tdp_w"]), float(data["idle_w"])
    return host_max * (min(idle / tdp, 1.0) if tdp else 1.0), host_max


def _fleet(data):
    host_idle, host_max = _host_power(data)
    return ei.FleetInput(
        name=data["name"],
        accelerator_count=int(data["accelerator_count"]),
        tdp_w=float(data["tdp_w"]),
        idle_w=float(data["idle_w"]),
        host_idle_w_per_server=host_idle,
        host_max_w_per_server=host_max,
        accelerators_per_server=int(data.get("accelerators_per_server", FORMAT_1_ACCELERATORS_PER_SERVER)),
        network_storage_share=float(data.get("network_storage_share", 0.0)),
        utilisation=_utilisation(data.get("utilisation", {})),
        stages=tuple(
            ei.FleetStage(
                starts=_parse_dt(stage["starts"]),
                accelerator_count=int(stage["accelerator_count"]),
                utilisation=_utilisation(stage["utilisation"]) if stage.get("utilisation") else None,
                label=stage.get("label", ""),
            )
            for stage in data.get("stages", [])
        ),
    )


def _battery(data):
    return ei.BatteryInput(
        name=data["name"],
        power_mw=float(data["power_mw"]),
        energy_mwh=float(data["energy_mwh"]),
        round_trip_efficiency=float(data.get("round_trip_efficiency", 0.9)),
        dispatch_rule=data.get("dispatch_rule", "peak_shaving"),
        initial_state_of_charge=float(data.get("initial_state_of_charge", 1.0)),
        available_from=_parse_dt(data.get("available_from")),
        available_to=_parse_dt(data.get("available_to")),
    )


def _uncertain(data, fleets):
    """An engine Uncertain; a format 1 range on the per-accelerator overhead becomes one on host
    power at full load (× accelerators per server). Host idle then keeps its central value."""
    data = dict(data)
    head, _, tail = data["path"].rpartition(".")
    if tail == "server_overhead_w_per_accelerator":
        per_server = fleets[int(head.split(".")[1])].accelerators_per_server
        data.update(path=f"{head}.host_max_w_per_server", low=data["low"] * per_server, high=data["high"] * per_server)
    return ei.Uncertain(
        path=data["path"],
        low=float(data["low"]),
        high=float(data["high"]),
        distribution=data.get("distribution", "triangular"),
        label=data.get("label", ""),
        also_paths=tuple(data.get("also_paths", ())),
    )


class SnapshotError(ValueError):
    """A snapshot that cannot be turned into engine inputs (a facility missing a part)."""


def engine_facility(snapshot):
    """The engine's FacilityInput for a snapshot made by :func:`facility_snapshot`."""
    data = snapshot["facility"]
    if not data["fleets"]:
        raise SnapshotError("The facility has no compute fleet: add one before computing a report.")
    if data["cooling"] is None:
        raise SnapshotError("The facility has no cooling data (PUE): add it before computing a report.")
    grid = data["grid"]
    climate = data["climate"]
    fleets = tuple(_fleet(f) for f in data["fleets"])
    return ei.FacilityInput(
        name=data["name"],
        fleets=fleets,
        cooling=ei.CoolingInput(**data["cooling"]),
        grid=ei.GridInput(
            utility=grid["utility"],
            contracts=tuple(_contract(c) for c in grid["contracts"]),
            emission_rates_lb_per_mwh=_floats(grid["emission_rates_lb_per_mwh"]),
            generation_water_l_per_kwh=_optional_float(grid.get("generation_water_l_per_kwh")),
            market_rates_lb_per_mwh=_floats(grid.get("market_rates_lb_per_mwh")),
        ),
        generators=tuple(_generator(g) for g in data["generators"]),
        batteries=tuple(_battery(b) for b in data.get("batteries", [])),
        fuel=ei.FuelInput(hhv_btu_per_scf=float(data["fuel"]["hhv_btu_per_scf"])),
        climate=ei.ClimateInput(
            monthly_low_c=tuple(climate["monthly_low_c"]),
            monthly_high_c=tuple(climate["monthly_high_c"]),
            utc_offset_hours=float(climate["utc_offset_hours"]),
            source=climate.get("source", ""),
        ),
        uncertainties=tuple(_uncertain(u, fleets) for u in data["uncertainties"]),
    )


def _override_value(path, value):
    """Structured overrides arrive as JSON; give the engine its dataclasses."""
    if path == "grid.contracts":
        return tuple(_contract(c) for c in value)
    if path == "generators":
        return tuple(_generator(g) for g in value)
    if path.startswith("generators.") and path.count(".") == 1:
        return _generator(value)
    if path == "batteries":
        return tuple(_battery(b) for b in value)
    if path.startswith("batteries.") and path.count(".") == 1:
        return _battery(value)
    if path.endswith(".controls") and isinstance(value, str):
        return _controls(value)  # format 1 scenarios wrote "SCR"
    if path.endswith(".controls_from") or path.endswith(".available_from") or path.endswith(".available_to"):
        return _parse_dt(value) if isinstance(value, str) else value
    if isinstance(value, list):
        return tuple(value)
    return value


def _override(path, value):
    head, _, tail = path.rpartition(".")
    if tail == "server_overhead_w_per_accelerator":  # format 1: per accelerator, now per server
        return f"{head}.host_max_w_per_server", float(value) * FORMAT_1_ACCELERATORS_PER_SERVER
    return path, _override_value(path, value)


def engine_scenarios(snapshot):
    """The engine's Scenario objects for the snapshot's active scenarios."""
    return tuple(
        ei.Scenario(
            name=s["name"],
            description=s.get("description", ""),
            overrides=dict(_override(path, value) for path, value in s["overrides"].items()),
        )
        for s in snapshot["scenarios"]
    )


def load_facility(slug):
    """The facility with everything the snapshot reads, or Facility.DoesNotExist."""
    return Facility.objects.select_related("cooling", "grid", "climate_source").get(slug=slug)


# --- checking a proposed edit with the engine's own validation ------------------------------------


def owning_facility(row):
    """The facility a facility-model row (or an assumption on one) belongs to, or None."""
    if isinstance(row, Facility):
        return row
    if getattr(row, "facility_id", None):  # parts with their own key, and assumptions
        return row.facility
    for hop in ("fleet", "grid", "generator"):  # a stage, a contract or rate, an emission factor
        if getattr(row, f"{hop}_id", None):
            return owning_facility(getattr(row, hop))
    return None


def _period_for_checks(facility):
    """The last whole local month as the engine's UTC period: what a run of the edited facility covers."""
    from impact.periods import previous_month

    period = previous_month(dt.date.today())
    zone = facility.zone
    return ei.Period(
        dt.datetime.combine(period.start, dt.time(), tzinfo=zone).astimezone(dt.timezone.utc),
        dt.datetime.combine(period.end, dt.time(), tzinfo=zone).astimezone(dt.timezone.utc),
    )


def _with_assumption(snapshot, paths, assumption):
    """``snapshot`` with ``assumption``'s proposed range in place of the one saved for its path."""
    path = paths.get((assumption.content_type.model, assumption.object_id, assumption.field_name))
    if path is None:
        return snapshot
    uncertainties = [u for u in snapshot["facility"]["uncertainties"] if u["path"] != path]
    kept = next((u for u in snapshot["facility"]["uncertainties"] if u["path"] == path), None)
    ranged = (assumption.distribution != Assumption.Distribution.FIXED and assumption.low is not None
              and assumption.high is not None and assumption.same_quantity_as_id is None)
    if ranged:
        uncertainties.append({
            "path": path, "low": assumption.low, "high": assumption.high, "distribution": assumption.distribution,
            "label": assumption.label or path, "also_paths": kept["also_paths"] if kept else [],
        })
    return {**snapshot, "facility": {**snapshot["facility"], "uncertainties": uncertainties}}


def _first_error(facility_input, period):
    try:
        validate(facility_input, period)
    except EngineInputError as exc:
        return exc
    return None


def facility_input_error(facility):
    """The engine's refusal of ``facility``'s saved inputs (EngineInputError or SnapshotError), or None:
    the check a run makes when it is requested, for a door that writes many rows at once (an import)."""
    try:
        return _first_error(engine_facility(facility_snapshot(facility)), _period_for_checks(facility))
    except SnapshotError as exc:
        return exc


def proposed_input_error(row):
    """The engine's refusal of the facility with ``row``'s unsaved values, as (field name or None, message).

    Builds the engine input exactly as a run does (facility_snapshot → engine_facility) from the
    saved rows, puts ``row``'s proposed values in (a facility part's numbers, or an assumption's
    range), and calls the engine's validation: the one set of checks, so a value the form accepts
    is one a worker can compute from. Returns None when the engine accepts it, when the facility
    cannot be computed yet (a missing part, said when a run is requested), or when the facility was
    already refused for the same reason before this edit (so an unrelated fix is never blocked).
    A new row (no primary key) is not yet part of any snapshot, so it is not checked here.
    """
    facility = owning_facility(row)
    if facility is None or facility.pk is None or row.pk is None:
        return None
    facility = Facility.objects.select_related("cooling", "grid", "climate_source").get(pk=facility.pk)
    snapshot, paths = _snapshot_with_paths(facility)
    period = _period_for_checks(facility)
    try:
        saved_input = engine_facility(snapshot)
    except SnapshotError:
        return None
    if isinstance(row, Assumption):
        proposed_snapshot = _with_assumption(snapshot, paths, row)
        proposed = engine_facility(proposed_snapshot)
        fields = {}
        range_path = paths.get((row.content_type.model, row.object_id, row.field_name))
    else:
        proposed_snapshot, range_path = snapshot, None
        if isinstance(row, Facility):
            proposed_snapshot = {**snapshot, "facility": {**snapshot["facility"],
                                                          "fuel": {"hhv_btu_per_scf": row.gas_hhv_btu_per_scf}}}
        proposed = engine_facility(proposed_snapshot)
        model = row._meta.model_name
        fields = {field: path for (m, pk, field), path in paths.items() if m == model and pk == row.pk}
        for field, path in fields.items():
            value = getattr(row, field, None)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                proposed = set_path(proposed, path, float(value) if isinstance(get_path(proposed, path), float) else value)
    error = _first_error(proposed, period)
    if error is None:
        return None
    before = _first_error(saved_input, period)
    if before is not None and str(before) == str(error):
        return None
    return _field_for(error, proposed, fields, range_path), f"The engine cannot compute from this: {error}"


def _field_for(error, facility_input, fields, range_path):
    """The form field an EngineInputError's path names: the input itself, or the range drawn for it."""
    by_path = {path: field for field, path in fields.items()}
    path = error.field_path
    if path in by_path:
        return by_path[path]
    parts = path.split(".")
    if parts[0] == "uncertainties" and len(parts) >= 3:
        unc = facility_input.uncertainties[int(parts[1])]
        if range_path is not None and unc.path == range_path:
            return parts[2] if parts[2] in ("low", "high") else "low"
        for drawn in (unc.path, *unc.also_paths):
            if drawn in by_path:
                return by_path[drawn]
    return None
