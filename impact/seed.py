"""The Memphis Supercluster as the article and shared/reference/factors.md describe it.

``load_memphis()`` creates or updates the facility (idempotent: run it twice, get one facility).
Every numeric input cites its source with the status from factors.md: S (read in the source),
2° (secondary), U (unverified), D (derived here). Unknowns are assumptions marked U.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from impact.models import (
    Assumption,
    ComputeFleet,
    Confidence,
    Cooling,
    Facility,
    GeneratorEmissionFactor,
    GeneratorGroup,
    GridContract,
    GridEmissionRate,
    GridSupply,
    Scenario,
    Source,
)

S, SECONDARY, U, D = Confidence.SOURCE, Confidence.SECONDARY, Confidence.UNVERIFIED, Confidence.DERIVED
UTC = dt.timezone.utc

# (title, section, publisher, url, year)
SOURCES = {
    "article": ("Article on xAI's Memphis Supercluster (German; project source text)", "", "shared/mission", "", 2024),
    "h100": ("NVIDIA H100 Tensor Core GPU datasheet", "H100 SXM max TDP 700 W", "NVIDIA", "https://www.nvidia.com/en-us/data-center/h100/", 2022),
    "gpuburn": ("gpu-burn issue #114: H100 idle power", "140–145 W at P0, 0–4 % util", "wilicc/gpu-burn (GitHub)", "https://github.com/wilicc/gpu-burn/issues/114", 2024),
    "newkirk": ("Newkirk et al., HGX H100 power in compute-heavy training", "7.75 kW/node (76 % of 10.2 kW)", "arXiv 2506.14551", "https://arxiv.org/abs/2506.14551", 2025),
    "uptime": ("Uptime Institute Global Data Center Survey 2024", "new large builds PUE ≤ 1.3", "Uptime Institute", "", 2024),
    "coolingreport": ("The Cooling Report: Colossus peak daily water draw", "812,502 gal/day", "The Cooling Report", "", 2026),
    "egrid": ("MLGW carbon allocation (eGRID SRTV CO2 total-output rate)", "931.59 lb/MWh", "Memphis Light, Gas and Water", "https://www.mlgw.com/community/carbonallocation", 2021),
    "tva_co2": ("TVA Carbon Dioxide system rate 2023", "624.94 lb CO2/MWh", "Tennessee Valley Authority", "https://www.tva.com", 2023),
    "patel": ("Dylan Patel (SemiAnalysis) via Tom's Hardware", "14 VoltaGrid generators ≈2.5 MW each, ~8 MW from grid", "Tom's Hardware", "", 2024),
    "aterio": ("aterio.io on xAI Memphis", "MLGW supplies up to 50 MW (Aug 2024)", "aterio.io", "", 2024),
    "chamber": ("Greater Memphis Chamber: xAI Phase I update", "150 MW MLGW/TVA grid power from 1 May 2025", "Greater Memphis Chamber", "", 2025),
    "voltagrid": ("INNIO–VoltaGrid 1.5 GW deal", "Jenbacher J620/J624 reciprocating engines", "Telborg", "", 2026),
    "ap42_32": ("EPA AP-42, 5th ed., §3.2 Natural Gas-fired Reciprocating Engines", "Table 3.2-2, 4-stroke lean-burn", "US EPA", "https://www.epa.gov/air-emissions-factors-and-quantification/ap-42-compilation-air-emissions-factors", 2000),
    "part98": ("40 CFR Part 98 Subpart C", "Table C-1 (default HHV 1,026 Btu/scf)", "US EPA", "https://www.ecfr.gov/current/title-40/chapter-I/subchapter-C/part-98/subpart-C", 2024),
    "climate": ("Memphis TN climate normals (monthly daily low/high)", "factors.md §10", "ovogo.com", "", None),
}

# Monthly normal daily low/high in °F, Jan–Dec (factors.md §10, ovogo.com, 2°).
MEMPHIS_LOW_F = (32, 35, 42, 51, 59, 68, 71, 71, 63, 53, 44, 34)
MEMPHIS_HIGH_F = (54, 60, 67, 78, 85, 93, 97, 97, 90, 78, 68, 59)

# AP-42 Table 3.2-2, 4SLB at 90–105 % load, lb/MMBtu: (central, low, high, status). The <90 % load
# values are the other end of the range. factors.md marks the 4SLB columns U except CH4 (2°).
ENGINE_FACTORS = {
    "nox": (4.08, 0.847, 4.08, U),
    "co": (0.317, 0.317, 0.557, U),
    "voc": (0.118, None, None, U),
    "pm": (0.0100, None, None, U),  # 7.71E-05 filterable + 9.91E-03 condensable
    "so2": (5.88e-4, None, None, U),
    "formaldehyde": (5.28e-2, None, None, U),
    "ch4": (1.25, None, None, SECONDARY),  # = 0.567 kg/MMBtu, matches the API Compendium
}
# SCR typically removes about 90 % of NOx from lean-burn engines: engineering rule, no source (U).
SCR_NOX_REMOVAL = 0.9


def _f_to_c(value):
    return round((value - 32) * 5 / 9, 2)


def _sources():
    out = {}
    for key, (title, section, publisher, url, year) in SOURCES.items():
        out[key], _ = Source.objects.update_or_create(
            title=title, section=section, defaults={"publisher": publisher, "url": url, "year": year}
        )
    return out


def _cite(facility, obj, field, status, source=None, low=None, high=None, label="", note="", fixed=False):
    """Attach (or update) the assumption describing ``obj.field``."""
    distribution = Assumption.Distribution.FIXED if fixed or low is None else Assumption.Distribution.TRIANGULAR
    Assumption.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        field_name=field,
        defaults={
            "facility": facility,
            "label": label,
            "low": low,
            "high": high,
            "distribution": distribution,
            "status": status,
            "source": source,
            "note": note,
        },
    )


@transaction.atomic
def load_memphis():
    """Create or update the Memphis Supercluster facility; return (facility, created)."""
    src = _sources()
    facility, created = Facility.objects.update_or_create(
        slug="memphis-supercluster",
        defaults={
            "name": "Memphis Supercluster (xAI Colossus)",
            "location": "Memphis, Tennessee",
            "operator": "xAI",
            "time_zone": "America/Chicago",
            "description": (
                "xAI's AI training cluster: 100,000 liquid-cooled NVIDIA H100 GPUs on a single RDMA fabric, "
                "drawing up to 150 MW. With no final power contract from the Tennessee Valley Authority, "
                "14 VoltaGrid natural-gas generators were placed on site while negotiations went on."
            ),
            "is_active": True,
            "gas_hhv_btu_per_scf": 1026.0,
            "climate_monthly_low_c": [_f_to_c(v) for v in MEMPHIS_LOW_F],
            "climate_monthly_high_c": [_f_to_c(v) for v in MEMPHIS_HIGH_F],
            "climate_source": src["climate"],
        },
    )
    _cite(facility, facility, "gas_hhv_btu_per_scf", S, src["part98"], 1026.0, 1037.0, "Natural gas heating value")

    fleet, _ = ComputeFleet.objects.update_or_create(
        facility=facility,
        name="Colossus GPU fleet",
        defaults={
            "accelerator_model": "NVIDIA H100 SXM (liquid-cooled)",
            "accelerator_count": 100_000,
            "tdp_w": 700.0,
            "idle_w": 70.0,
            "server_overhead_w_per_accelerator": 300.0,
            "network_storage_share": 0.05,
            "utilisation_kind": ComputeFleet.Utilisation.TRAINING,
            "mean_utilisation": 0.85,
            "diurnal_amplitude": 0.0,
            "order": 0,
        },
    )
    _cite(facility, fleet, "accelerator_count", SECONDARY, src["article"], label="H100 GPUs", fixed=True,
          note="100,000 liquid-cooled H100s on one RDMA fabric (article).")
    _cite(facility, fleet, "tdp_w", S, src["h100"], label="H100 SXM TDP", fixed=True)
    _cite(facility, fleet, "idle_w", U, src["gpuburn"], 60.0, 145.0, "H100 idle power",
          note="~70 W recalled; 140–145 W measured at P0 with memory resident.")
    _cite(facility, fleet, "server_overhead_w_per_accelerator", D, src["newkirk"], 110.0, 575.0,
          "Server power per GPU beyond the GPU",
          note="All-in 1.0 kW/GPU (0.81–1.275, node ÷ 8) minus the 700 W TDP.")
    _cite(facility, fleet, "network_storage_share", U, None, 0.02, 0.10, "Networking and storage share",
          note="Engineering estimate; no source found.")
    _cite(facility, fleet, "mean_utilisation", U, None, 0.6, 0.95, "Mean GPU utilisation (training)",
          note="Training runs keep GPUs busy; no published figure for this site.")

    cooling, _ = Cooling.objects.update_or_create(
        facility=facility,
        defaults={
            "description": "Direct liquid cooling",
            "pue_at_reference": 1.15,
            "pue_reference_temp_c": 15.0,
            "pue_slope_per_degc": 0.005,
            "wue_l_per_kwh": 1.0,
        },
    )
    _cite(facility, cooling, "pue_at_reference", U, src["uptime"], 1.08, 1.3, "PUE of a liquid-cooled AI hall",
          note="Design range for liquid cooling; no primary source (factors.md §2).")
    _cite(facility, cooling, "pue_slope_per_degc", U, None, 0.0, 0.01, "PUE rise per °C of outdoor heat",
          note="Chosen so hot afternoons reach PUE ≈ 1.25; check against measured data.")
    _cite(facility, cooling, "wue_l_per_kwh", D, src["coolingreport"], 0.27, 1.8, "Water use effectiveness (per kWh of IT)",
          note="812,502 gal/day = 3.08 M L/day over 150 MW ÷ PUE 1.2 = 3.0 GWh of IT a day ≈ 1.0 L/kWh IT "
          "(factors.md's 0.85 L/kWh is per kWh of facility power). Range: best hyperscale to industry average.")

    grid, _ = GridSupply.objects.update_or_create(
        facility=facility, defaults={"utility": "Memphis Light, Gas and Water (TVA power)"}
    )
    contracts = [
        (8.0, dt.datetime(2024, 6, 1, 5, tzinfo=UTC), GridContract.Status.PENDING, src["patel"],
         "About 8 MW from the grid in July 2024 while the TVA contract was pending."),
        (50.0, dt.datetime(2024, 8, 1, 5, tzinfo=UTC), GridContract.Status.PENDING, src["aterio"],
         "MLGW supplies up to 50 MW from August 2024."),
        (150.0, dt.datetime(2025, 5, 1, 5, tzinfo=UTC), GridContract.Status.SIGNED, src["chamber"],
         "Phase I on 150 MW of MLGW/TVA grid power from 1 May 2025."),
    ]
    kept = []
    for i, (capacity, starts, status, source, note) in enumerate(contracts):
        ends = contracts[i + 1][1] if i + 1 < len(contracts) else None
        contract, _ = GridContract.objects.update_or_create(
            grid=grid, starts=starts, defaults={"capacity_mw": capacity, "ends": ends, "status": status, "note": note}
        )
        kept.append(contract.pk)
        _cite(facility, contract, "capacity_mw", SECONDARY, source, label=f"Grid capacity from {starts:%b %Y}", fixed=True)
    grid.contracts.exclude(pk__in=kept).delete()

    rate, _ = GridEmissionRate.objects.update_or_create(grid=grid, pollutant="co2", defaults={"lb_per_mwh": 931.59})
    _cite(facility, rate, "lb_per_mwh", S, src["egrid"], 624.94, 931.59, "Grid CO2 rate (eGRID SRTV)",
          note="Low end: TVA's 2023 system rate (624.94 lb/MWh, tva.com). Grid CH4, N2O, NOx and SO2 rates "
          "were not found (factors.md §7), so grid figures for them are reported as not available.")

    gens, _ = GeneratorGroup.objects.update_or_create(
        facility=facility,
        name="VoltaGrid mobile gas generators",
        defaults={
            "model_name": "VoltaGrid QPac (Jenbacher J620/J624)",
            "kind": GeneratorGroup.Kind.ENGINE,
            "unit_count": 14,
            "rated_mw": 2.5,
            "min_load_fraction": 0.5,
            "heat_rate_btu_per_kwh": 8200.0,
            "part_load_heat_rate": [[0.5, 1.12], [0.75, 1.04], [1.0, 1.0]],
            "availability": 0.95,
            "controls": "",
            "available_from": dt.datetime(2024, 6, 1, tzinfo=UTC),
            "available_to": None,
            "order": 0,
        },
    )
    _cite(facility, gens, "unit_count", SECONDARY, src["patel"], label="Gas generators on site", fixed=True)
    _cite(facility, gens, "rated_mw", SECONDARY, src["patel"], 2.0, 3.0, "Output per generator")
    _cite(facility, gens, "min_load_fraction", U, None, 0.3, 0.6, "Minimum stable load",
          note="Typical for lean-burn gas engines; no source.")
    _cite(facility, gens, "heat_rate_btu_per_kwh", U, src["voltagrid"], 7600.0, 9000.0, "Generator heat rate (HHV)",
          note="~45–48 % LHV efficiency for Jenbacher J620/J624 (factors.md §5).")
    _cite(facility, gens, "availability", U, None, 0.9, 1.0, "Share of units available")
    for pollutant, (central, low, high, status) in ENGINE_FACTORS.items():
        controlled = round(central * (1 - SCR_NOX_REMOVAL), 6) if pollutant == "nox" else None
        factor, _ = GeneratorEmissionFactor.objects.update_or_create(
            generator=gens, pollutant=pollutant,
            defaults={"lb_per_mmbtu": central, "controlled_lb_per_mmbtu": controlled},
        )
        _cite(facility, factor, "lb_per_mmbtu", status, src["ap42_32"], low, high,
              f"Engine {factor.get_pollutant_display()} factor",
              note="Range: <90 % load to 90–105 % load." if low is not None else "")
        if controlled is not None:
            _cite(facility, factor, "controlled_lb_per_mmbtu", U, None, label="Engine NOx with SCR", fixed=True,
                  note="Assumes SCR removes about 90 % of NOx; no source.")

    scenarios = [
        ("tva-150-mw-aug-2024", "TVA contract 150 MW from August 2024",
         "What if the full grid contract had been in force from 1 August 2024?",
         {"grid.contracts": [{"capacity_mw": 8.0, "starts": "2024-06-01T00:00:00+00:00", "ends": "2024-08-01T05:00:00+00:00"},
                             {"capacity_mw": 150.0, "starts": "2024-08-01T05:00:00+00:00", "ends": None}]}),
        ("200k-gpus", "200,000 GPUs", "The announced doubling of the cluster, same cooling and supply.",
         {"fleets.0.accelerator_count": 200_000}),
        ("no-onsite-generators", "No on-site generators", "Grid only: what could not be served without the generators.",
         {"generators": []}),
        ("generators-with-scr", "Generators with SCR", "The same engines with selective catalytic reduction on NOx.",
         {"generators.0.controls": "SCR"}),
    ]
    for slug, name, description, overrides in scenarios:
        Scenario.objects.update_or_create(
            facility=facility, slug=slug, defaults={"name": name, "description": description, "overrides": overrides}
        )
    return facility, created
