"""Between the database and the engine.

``facility_snapshot()`` freezes a facility's rows into plain JSON: the exact inputs a run used, kept
on the run for provenance and hashed to tell runs apart. ``engine_inputs()`` turns a snapshot back
into the engine's frozen dataclasses, so a run computes from its snapshot, never from rows that
may have changed since it was requested.
"""

import datetime as dt
import hashlib
import json

from impact.engine import inputs as ei
from impact.models import Assumption, Facility

SNAPSHOT_FORMAT = 1

# Model field → engine path segment, where the names differ.
FLEET_FIELDS = {
    "accelerator_count": "accelerator_count",
    "tdp_w": "tdp_w",
    "idle_w": "idle_w",
    "server_overhead_w_per_accelerator": "server_overhead_w_per_accelerator",
    "network_storage_share": "network_storage_share",
    "mean_utilisation": "utilisation.mean_utilisation",
    "diurnal_amplitude": "utilisation.diurnal_amplitude",
}


def _iso(value):
    return value.astimezone(dt.timezone.utc).isoformat() if value else None


def _parse_dt(value):
    return dt.datetime.fromisoformat(value) if value else None


def facility_snapshot(facility):
    """Every input of ``facility`` as JSON-safe data, with its assumptions and active scenarios."""
    fleets = list(facility.fleets.prefetch_related("downtimes"))
    generators = list(facility.generators.prefetch_related("emission_factors"))
    cooling = getattr(facility, "cooling", None)
    grid = getattr(facility, "grid", None)
    contracts = list(grid.contracts.order_by("starts", "id")) if grid else []
    rates = list(grid.emission_rates.all()) if grid else []

    # Engine path of every (model, pk, field) that can carry an assumption.
    paths = {("facility", facility.pk, "gas_hhv_btu_per_scf"): "fuel.hhv_btu_per_scf"}
    for i, fleet in enumerate(fleets):
        for field, sub in FLEET_FIELDS.items():
            paths[("computefleet", fleet.pk, field)] = f"fleets.{i}.{sub}"
    if cooling:
        for field in ("pue_at_reference", "pue_reference_temp_c", "pue_slope_per_degc", "wue_l_per_kwh"):
            paths[("cooling", cooling.pk, field)] = f"cooling.{field}"
    if grid:
        paths[("gridsupply", grid.pk, "generation_water_l_per_kwh")] = "grid.generation_water_l_per_kwh"
    for j, contract in enumerate(contracts):
        paths[("gridcontract", contract.pk, "capacity_mw")] = f"grid.contracts.{j}.capacity_mw"
    for rate in rates:
        paths[("gridemissionrate", rate.pk, "lb_per_mwh")] = f"grid.emission_rates_lb_per_mwh.{rate.pollutant}"
    for k, gen in enumerate(generators):
        for field in ("unit_count", "rated_mw", "min_load_fraction", "heat_rate_btu_per_kwh", "availability"):
            paths[("generatorgroup", gen.pk, field)] = f"generators.{k}.{field}"
        for factor in gen.emission_factors.all():
            key = ("generatoremissionfactor", factor.pk)
            paths[(*key, "lb_per_mmbtu")] = f"generators.{k}.emission_factors_lb_per_mmbtu.{factor.pollutant}"
            paths[(*key, "controlled_lb_per_mmbtu")] = (
                f"generators.{k}.controlled_factors_lb_per_mmbtu.{factor.pollutant}"
            )

    assumptions = []
    uncertainties = []
    for a in facility.all_assumptions.select_related("content_type", "source").order_by("id"):
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
            "status": a.status,
            "source": str(a.source) if a.source else "",
            "source_url": a.source.url if a.source else "",
            "note": a.note,
        }
        assumptions.append(row)
        ranged = a.distribution != Assumption.Distribution.FIXED and a.low is not None and a.high is not None
        if ranged and a.low < a.high and central is not None:
            uncertainties.append(
                {"path": path, "low": a.low, "high": a.high, "distribution": a.distribution, "label": row["label"]}
            )

    facility_data = {
        "name": facility.name,
        "fleets": [
            {
                "name": f.name,
                "accelerator_count": f.accelerator_count,
                "tdp_w": f.tdp_w,
                "idle_w": f.idle_w,
                "server_overhead_w_per_accelerator": f.server_overhead_w_per_accelerator,
                "network_storage_share": f.network_storage_share,
                "utilisation": {
                    "kind": f.utilisation_kind,
                    "mean_utilisation": f.mean_utilisation,
                    "diurnal_amplitude": f.diurnal_amplitude,
                    "hourly_shape": list(f.hourly_shape or []),
                    "planned_downtime": [[_iso(d.starts), _iso(d.ends)] for d in f.downtimes.all()],
                },
            }
            for f in fleets
        ],
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
            "emission_rates_lb_per_mwh": {r.pollutant: r.lb_per_mwh for r in rates},
            "generation_water_l_per_kwh": grid.generation_water_l_per_kwh if grid else 0.0,
        },
        "generators": [_generator_data(g) for g in generators],
        "fuel": {"hhv_btu_per_scf": facility.gas_hhv_btu_per_scf},
        "climate": {
            "monthly_low_c": list(facility.climate_monthly_low_c or []),
            "monthly_high_c": list(facility.climate_monthly_high_c or []),
            "utc_offset_hours": _standard_offset_hours(facility),
            "source": str(facility.climate_source) if facility.climate_source else "",
        },
        "uncertainties": uncertainties,
    }
    return {
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


def _contract_data(contract):
    return {"capacity_mw": contract.capacity_mw, "starts": _iso(contract.starts), "ends": _iso(contract.ends)}


def _generator_data(gen):
    factors = list(gen.emission_factors.all())
    return {
        "name": gen.name,
        "kind": gen.kind,
        "unit_count": gen.unit_count,
        "rated_mw": gen.rated_mw,
        "min_load_fraction": gen.min_load_fraction,
        "heat_rate_btu_per_kwh": gen.heat_rate_btu_per_kwh,
        "emission_factors_lb_per_mmbtu": {f.pollutant: f.lb_per_mmbtu for f in factors},
        "part_load_heat_rate": [list(p) for p in gen.part_load_heat_rate or []],
        "availability": gen.availability,
        "controls": gen.controls,
        "controlled_factors_lb_per_mmbtu": {
            f.pollutant: f.controlled_lb_per_mmbtu for f in factors if f.controlled_lb_per_mmbtu is not None
        },
        "available_from": _iso(gen.available_from),
        "available_to": _iso(gen.available_to),
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


def _generator(data):
    return ei.GeneratorInput(
        name=data["name"],
        kind=data["kind"],
        unit_count=int(data["unit_count"]),
        rated_mw=float(data["rated_mw"]),
        min_load_fraction=float(data["min_load_fraction"]),
        heat_rate_btu_per_kwh=float(data["heat_rate_btu_per_kwh"]),
        emission_factors_lb_per_mmbtu=dict(data.get("emission_factors_lb_per_mmbtu", {})),
        part_load_heat_rate=tuple(tuple(p) for p in data.get("part_load_heat_rate", [])),
        availability=float(data.get("availability", 1.0)),
        controls=data.get("controls", ""),
        controlled_factors_lb_per_mmbtu=dict(data.get("controlled_factors_lb_per_mmbtu", {})),
        available_from=_parse_dt(data.get("available_from")),
        available_to=_parse_dt(data.get("available_to")),
    )


def _fleet(data):
    util = data.get("utilisation", {})
    return ei.FleetInput(
        name=data["name"],
        accelerator_count=int(data["accelerator_count"]),
        tdp_w=float(data["tdp_w"]),
        idle_w=float(data["idle_w"]),
        server_overhead_w_per_accelerator=float(data["server_overhead_w_per_accelerator"]),
        network_storage_share=float(data.get("network_storage_share", 0.0)),
        utilisation=ei.UtilisationProfile(
            kind=util.get("kind", "constant"),
            mean_utilisation=float(util.get("mean_utilisation", 0.8)),
            diurnal_amplitude=float(util.get("diurnal_amplitude", 0.25)),
            hourly_shape=tuple(float(v) for v in util.get("hourly_shape", [])),
            planned_downtime=tuple((_parse_dt(s), _parse_dt(e)) for s, e in util.get("planned_downtime", [])),
        ),
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
    return ei.FacilityInput(
        name=data["name"],
        fleets=tuple(_fleet(f) for f in data["fleets"]),
        cooling=ei.CoolingInput(**data["cooling"]),
        grid=ei.GridInput(
            utility=grid["utility"],
            contracts=tuple(_contract(c) for c in grid["contracts"]),
            emission_rates_lb_per_mwh=dict(grid["emission_rates_lb_per_mwh"]),
            generation_water_l_per_kwh=float(grid["generation_water_l_per_kwh"]),
        ),
        generators=tuple(_generator(g) for g in data["generators"]),
        fuel=ei.FuelInput(hhv_btu_per_scf=float(data["fuel"]["hhv_btu_per_scf"])),
        climate=ei.ClimateInput(
            monthly_low_c=tuple(climate["monthly_low_c"]),
            monthly_high_c=tuple(climate["monthly_high_c"]),
            utc_offset_hours=float(climate["utc_offset_hours"]),
            source=climate.get("source", ""),
        ),
        uncertainties=tuple(ei.Uncertain(**u) for u in data["uncertainties"]),
    )


def _override_value(path, value):
    """Structured overrides arrive as JSON; give the engine its dataclasses."""
    if path == "grid.contracts":
        return tuple(_contract(c) for c in value)
    if path == "generators":
        return tuple(_generator(g) for g in value)
    if path.startswith("generators.") and path.count(".") == 1:
        return _generator(value)
    if isinstance(value, list):
        return tuple(value)
    return value


def engine_scenarios(snapshot):
    """The engine's Scenario objects for the snapshot's active scenarios."""
    return tuple(
        ei.Scenario(
            name=s["name"],
            description=s.get("description", ""),
            overrides={path: _override_value(path, value) for path, value in s["overrides"].items()},
        )
        for s in snapshot["scenarios"]
    )


def load_facility(slug):
    """The facility with everything the snapshot reads, or Facility.DoesNotExist."""
    return Facility.objects.select_related("cooling", "grid", "climate_source").get(slug=slug)
