"""The Memphis Supercluster through time, as shared/reference/factors.md describes it.

``load_memphis()`` creates or updates the facility (idempotent: run it twice, get one facility).
Every numeric input cites its source with the status from factors.md: S (read in the source),
2° (secondary), U (unverified), D (derived here, the derivation in the note). Each dated fact of
the §6 timeline (a fleet stage, a grid contract, a generator group arriving or leaving, the
battery) is an assumption on that row's count or capacity, so its source, status and the date's
provenance travel with the run's snapshot. Every ranged input says why it has its shape.

Timeline (local dates, America/Chicago; the seed stores them in UTC):

    2024-06-01  14 VoltaGrid gas engines on site (no GPUs energised yet)
    2024-07-01  8 MW grid; 30,000 H100 energised (what that supply can carry, D)
    2024-08-01  50 MW grid; 4 Solar SMT-130 turbines; 100,000 H100
    2024-12-01  11 more SMT-130 (the other permitted units, D); 150,000 GPUs (D)
    2025-02-01  20 temporary mobile turbines (D); 200,000 H100/H200
    2025-05-01  150 MW grid; 150 MW Tesla Megapacks; the temporary turbines leave
    2025-07-02  SCHD permit: the 15 SMT-130 run with SCR
    2025-09-01  ~30,000 GB200 as a second fleet (U)
"""

import datetime as dt
import zoneinfo

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from impact.engine.climate import MEMPHIS_HIGH_F, MEMPHIS_LOW_F
from impact.engine.constants import fahrenheit_to_celsius
from impact.models import (
    AirPermit,
    Assumption,
    BatteryStorage,
    ComputeFleet,
    Confidence,
    Cooling,
    Facility,
    FleetStage,
    GeneratorEmissionFactor,
    GeneratorGroup,
    GridContract,
    GridEmissionRate,
    GridSupply,
    PermitLimit,
    Scenario,
    Source,
)

S, SECONDARY, U, D = Confidence.SOURCE, Confidence.SECONDARY, Confidence.UNVERIFIED, Confidence.DERIVED
TRIANGULAR, UNIFORM = Assumption.Distribution.TRIANGULAR, Assumption.Distribution.UNIFORM
LOCAL = zoneinfo.ZoneInfo("America/Chicago")
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
    "egrid2023": ("eGRID2023 summary tables (code copy)", "SRTV non-baseload CO2 / CH4 / N2O 1,665.755 / 0.154 / 0.022 lb/MWh", "US EPA (via a code copy)", "", 2025),
    "tva_co2": ("TVA Carbon Dioxide system rate 2023", "624.94 lb CO2/MWh", "Tennessee Valley Authority", "https://www.tva.com", 2023),
    "patel": ("Dylan Patel (SemiAnalysis) via Tom's Hardware", "14 VoltaGrid generators ≈2.5 MW each, ~8 MW from grid", "Tom's Hardware", "", 2024),
    "aterio": ("aterio.io on xAI Memphis", "MLGW supplies up to 50 MW (Aug 2024)", "aterio.io", "", 2024),
    "aterio_turbines": ("aterio.io on xAI Memphis", "4 Solar SMT-130 turbines added (Aug 2024)", "aterio.io", "", 2024),
    "chamber": ("Greater Memphis Chamber: xAI Phase I update", "150 MW MLGW/TVA grid power from 1 May 2025", "Greater Memphis Chamber", "", 2025),
    "chamber_megapacks": ("Greater Memphis Chamber: xAI Phase I update", "150 MW of Tesla Megapacks; about half the turbines demobilised", "Greater Memphis Chamber", "", 2025),
    "selc": ("SELC/NAACP letter on the xAI turbines", "up to 35 turbines, about 421 MW (Apr 2025)", "Southern Environmental Law Center", "", 2025),
    "permit": ("Shelby County Health Department permit for xAI", "15 Solar SMT-130 with SCR, 247 MW, 2 Jul 2025; rolling 12-month caps", "particle.news; foxaction.com reprint", "", 2025),
    "techjuice": ("techjuice.pk on xAI Colossus", "100,000 H100 'activated' Jul 2024, 'about 70 MW'; 200,000 GPUs Feb 2025", "techjuice.pk", "", 2025),
    "teslarati": ("Teslarati: Musk on Colossus expansion", "'soon' 200,000 H100/H200 (late Oct 2024)", "Teslarati", "", 2024),
    "tomshw_2025": ("Tom's Hardware on Colossus Phase 1", "200,000 GPUs, Phase 1 full capacity (Feb 2025)", "Tom's Hardware", "", 2025),
    "semianalysis": ("SemiAnalysis on Colossus 1 (via climateerinvest blog)", "~200,000 H100/H200 + ~30,000 GB200 NVL72, ~300 MW", "SemiAnalysis", "", 2025),
    "voltagrid": ("INNIO–VoltaGrid 1.5 GW deal", "Jenbacher J620/J624 reciprocating engines", "Telborg", "", 2026),
    "iagt": ("IAGT paper 05-IAGT-1.3: Solar Titan 130", "15.0 MWe single-shaft rating", "IAGT", "", 2005),
    "ap42_31": ("EPA AP-42, 5th ed., §3.1 Stationary Gas Turbines", "Tables 3.1-1, 3.1-2a, 3.1-3 (uncontrolled)", "US EPA", "https://www.epa.gov/air-emissions-factors-and-quantification/ap-42-compilation-air-emissions-factors", 2000),
    "ap42_32": ("EPA AP-42, 5th ed., §3.2 Natural Gas-fired Reciprocating Engines", "Table 3.2-2, 4-stroke lean-burn", "US EPA", "https://www.epa.gov/air-emissions-factors-and-quantification/ap-42-compilation-air-emissions-factors", 2000),
    "jjjj": ("40 CFR 60 Subpart JJJJ (NSPS for stationary SI engines)", "Table 1: non-emergency SI natural-gas engines ≥500 hp", "US EPA / eCFR", "https://www.ecfr.gov/current/title-40/chapter-I/subchapter-C/part-60/subpart-JJJJ", 2008),
    "part98": ("40 CFR Part 98 Subpart C", "Table C-1 (default HHV 1,026 Btu/scf)", "US EPA", "https://www.ecfr.gov/current/title-40/chapter-I/subchapter-C/part-98/subpart-C", 2024),
    "climate": ("Memphis TN climate normals (monthly daily low/high)", "factors.md §10", "ovogo.com", "", None),
}

# 1 g/bhp-hr in lb/MMBtu for the VoltaGrid engines: 1 bhp-hr = 0.7457 kWh of shaft work ×
# 0.97 shaft-to-electric = 0.7233 kWh electric × 8,200 Btu/kWh = 5,931 Btu of fuel, and
# 1 g = 1/453.59 lb, so 1 g/bhp-hr = 0.3717 lb/MMBtu (D).
ENGINE_LB_PER_MMBTU_PER_G_PER_BHP_HR = 1 / 453.59 / (0.7457 * 0.97 * 8200 / 1e6)
# NSPS JJJJ Table 1, non-emergency SI natural-gas engines ≥ 500 hp built from 2010, g/bhp-hr
# (not in factors.md: status U until checked against the eCFR).
JJJJ_G_PER_BHP_HR = {"nox": 1.0, "co": 2.0, "voc": 0.7}
# SCR typically removes about 90 % of NOx from lean-burn engines: engineering rule, no source (U).
SCR_NOX_REMOVAL = 0.9
# eGRID2023 SRTV non-baseload CH4/CO2 and N2O/CO2 (factors.md §7, 2°), to scale the CO2 rate.
EGRID2023_CH4_PER_CO2 = 0.154 / 1665.755
EGRID2023_N2O_PER_CO2 = 0.022 / 1665.755
GRID_CO2_LB_PER_MWH = 931.59


def _local(year, month, day):
    """Local midnight in Memphis as an aware UTC datetime (06:00 UTC in winter, 05:00 in summer)."""
    return dt.datetime(year, month, day, tzinfo=LOCAL).astimezone(UTC)


def _f_to_c(value):
    # The Memphis normals (°F, factors.md §10) live with the engine's climate model; stored in °C.
    return round(fahrenheit_to_celsius(value), 2)


def _sources():
    out = {}
    for key, (title, section, publisher, url, year) in SOURCES.items():
        out[key], _ = Source.objects.update_or_create(
            title=title, section=section, defaults={"publisher": publisher, "url": url, "year": year}
        )
    return out


def _cite(facility, obj, field, status, source=None, low=None, high=None, label="", note="", reason="",
          distribution=TRIANGULAR, same_as=None):
    """Attach (or update) the assumption describing ``obj.field``; no range means fixed."""
    if low is None or high is None:
        distribution = Assumption.Distribution.FIXED
    assumption, _ = Assumption.objects.update_or_create(
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
            "distribution_reason": reason,
            "same_quantity_as": same_as,
        },
    )
    return assumption


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
                "xAI's AI training cluster, Colossus 1: NVIDIA H100 GPUs from July 2024, 100,000 from August 2024 "
                "and 200,000 H100/H200 by February 2025. With no final power contract from the Tennessee Valley "
                "Authority, gas engines and then mobile gas turbines ran on site; from May 2025 the site takes "
                "150 MW from the grid with Tesla Megapacks, and from July 2025 fifteen permitted turbines run "
                "with SCR."
            ),
            "is_active": True,
            "gas_hhv_btu_per_scf": 1026.0,
            "climate_monthly_low_c": [_f_to_c(v) for v in MEMPHIS_LOW_F],
            "climate_monthly_high_c": [_f_to_c(v) for v in MEMPHIS_HIGH_F],
            "climate_source": src["climate"],
        },
    )
    _cite(facility, facility, "gas_hhv_btu_per_scf", S, src["part98"], 1026.0, 1037.0, "Natural gas heating value",
          reason="Triangular from the Part 98 default (1,026) to the EIA US average of gas consumed (1,036–1,037 "
          "Btu/cf, S); the peak stays at the regulatory default because Memphis gas (MS ~1,027) is close to it.")

    _h100_fleet(facility, src)
    _gb200_fleet(facility, src)
    _cooling(facility, src)
    _grid(facility, src)
    generators = _generators(facility, src)
    _battery(facility, src)
    _scenarios(facility, generators)
    _air_permit(facility, src, generators)
    return facility, created


def _stages(facility, fleet, stages):
    """Create or update the fleet's stages (starts, count, status, source, label, note); drop others."""
    kept = []
    for starts, count, status, source, label, note in stages:
        stage, _ = FleetStage.objects.update_or_create(
            fleet=fleet, starts=starts,
            defaults={"accelerator_count": count, "label": label, "note": note, "utilisation_kind": "", "mean_utilisation": None},
        )
        kept.append(stage.pk)
        _cite(facility, stage, "accelerator_count", status, source, label=f"{fleet.name}: energised from {label}", note=note,
              reason="Fixed: a count is a dated fact (or a supply limit), not a spread; what-ifs are scenarios.")
    fleet.stages.exclude(pk__in=kept).delete()


def _h100_fleet(facility, src):
    fleet, _ = ComputeFleet.objects.update_or_create(
        facility=facility,
        name="Colossus GPU fleet",
        defaults={
            "accelerator_model": "NVIDIA H100 / H200 SXM (liquid-cooled)",
            "accelerator_count": 200_000,
            "tdp_w": 700.0,
            "idle_w": 70.0,
            # factors.md §1: all-in ~1.0 kW per GPU at load, so the host is 1,000 − 700 = 300 W per
            # GPU, 2,400 W per 8-GPU server at full load; idle at half of that (see the assumption).
            "host_idle_w_per_server": 1200.0,
            "host_max_w_per_server": 2400.0,
            "accelerators_per_server": 8,
            "network_storage_share": 0.05,
            "utilisation_kind": ComputeFleet.Utilisation.TRAINING,
            "mean_utilisation": 0.85,
            "diurnal_amplitude": 0.0,
            "order": 0,
        },
    )
    _cite(facility, fleet, "accelerator_count", D, src["tomshw_2025"], label="Most GPUs the fleet has (200,000 from Feb 2025)",
          note="The largest stage: 200,000 H100/H200 reached in February 2025 (Tom's Hardware, techjuice, 2°).",
          reason="Fixed: the fleet's count is the largest of its dated stages.")
    _cite(facility, fleet, "tdp_w", S, src["h100"], label="H100 SXM TDP",
          note="H100 SXM 700 W (S). The H200 SXM added from late 2024 is taken at the same 700 W (recalled, U).",
          reason="Fixed: a datasheet maximum, not a measured mean.")
    _cite(facility, fleet, "idle_w", U, src["gpuburn"], 60.0, 145.0, "H100 idle power",
          note="~70 W recalled; 140–145 W measured at P0 with memory resident (gpu-burn #114).",
          reason="Triangular, peak at the recalled ~70 W for an idle card in a low power state; the long upper tail "
          "reaches the 140–145 W measured with memory resident, which a training fleet between steps can be in.")
    _cite(facility, fleet, "host_max_w_per_server", D, src["newkirk"], 1600.0, 4600.0,
          "Host power per 8-GPU server at full load (CPUs, memory, fans, NICs, PSU losses)",
          note="All-in server power 1.0 kW per GPU at load (0.81–1.275, node ÷ 8, factors.md §1) minus the 700 W TDP "
          "= 300 W per GPU × 8 = 2,400 W per server.",
          reason="Triangular, peak at the 2,400 W the 1.0 kW/GPU all-in figure gives. High end: 1.275 kW/GPU "
          "(10.2 kW DGX maximum ÷ 8) − 700 W = 575 W × 8 = 4,600 W. The low end is not (0.81 − 0.70) × 8 = 880 W: "
          "that all-in figure comes from nodes whose GPUs were below 700 W; two CPUs, eight 400G NICs, the NVSwitches "
          "and fans at load need about 1,600 W, which also keeps every draw above the host idle range.")
    _cite(facility, fleet, "host_idle_w_per_server", D, src["newkirk"], 240.0, 1600.0,
          "Host power per 8-GPU server at idle",
          note="D: half the 2,400 W full-load host power. CPUs, memory, NICs and NVSwitches stay powered while "
          "GPUs idle, so host power does not fall with GPU load the way the GPUs' does.",
          reason="Triangular, peak at half of the full-load host power (no measurement found). Low end: 240 W, the "
          "old model's assumption that the host idles at the GPU's idle/TDP ratio (10 %). High end: 1,600 W, the "
          "lowest host maximum in its range, so idle never exceeds maximum in any draw.")
    _cite(facility, fleet, "network_storage_share", U, None, 0.02, 0.10, "Networking and storage share",
          note="Engineering estimate; no source found.",
          reason="Triangular, peak 5 %: switches and storage of an RDMA training fabric are a few per cent of server "
          "power; 2–10 % brackets the estimates seen for GPU clusters (no source).")
    _cite(facility, fleet, "mean_utilisation", U, None, 0.6, 0.95, "Mean GPU utilisation (training)",
          note="Training runs keep GPUs busy; no published figure for this site.",
          reason="Triangular, peak 0.85 for large synchronous training; down to 0.6 for checkpoints, restarts and "
          "failures, up to 0.95 for a flat-out run. Asymmetric because stalls only ever lower the mean.")

    july = ("July 2024: supply ~8 MW grid (Patel 2°) + 14 × 2.5 MW engines at 95 % availability (13 units, "
            "32.5 MW) ≈ 40.5–41 MW. Per energised H100 at the inputs' medians: GPU 88 + 612 × 0.81 ≈ 583 W, host "
            "(1,048 + 1,735 × 0.81) ÷ 8 ≈ 306 W, × 1.055 networking ≈ 939 W IT, × PUE ≈ 1.28 on a normal July "
            "afternoon (36 °C) ≈ 1.20 kW at the meter. 40.5 MW ÷ 1.2 kW ≈ 34,000 GPUs; 30,000 (≈ 36 MW) leaves "
            "~10 % for hotter-than-normal afternoons. The '100,000 activated, about 70 MW' report (techjuice, U) "
            "cannot have run on the cited supply: 70 MW would be ~58,000 GPUs, and 100,000 ≈ 120 MW.")
    _stages(facility, fleet, [
        (_local(2024, 7, 1), 30_000, D, src["patel"], "1 Jul 2024", july),
        (_local(2024, 8, 1), 100_000, SECONDARY, src["article"], "1 Aug 2024",
         "100,000 H100 (article; techjuice 2°) once MLGW supplies 50 MW and 4 SMT-130 turbines arrive (aterio 2°): "
         "100,000 × 1.2 kW ≈ 120 MW ≤ 50 + 32.5 (engines) + 3 × 16.5 (turbines at 95 %) = 132 MW."),
        (_local(2024, 12, 1), 150_000, D, src["teslarati"], "1 Dec 2024",
         "D: halfway between 100,000 and 200,000 on the ramp from Musk's late-October 'soon 200,000 H100/H200' "
         "(Teslarati, 6 Dec 2024, 2°) to 200,000 reached in February 2025; no dated count found for the months between."),
        (_local(2025, 2, 1), 200_000, SECONDARY, src["tomshw_2025"], "1 Feb 2025",
         "200,000 GPUs reached, Phase 1 full capacity (techjuice.pk; Tom's Hardware, May 2025, 2°)."),
    ])


def _gb200_fleet(facility, src):
    fleet, _ = ComputeFleet.objects.update_or_create(
        facility=facility,
        name="Colossus GB200 fleet",
        defaults={
            "accelerator_model": "NVIDIA GB200 NVL72 (Blackwell, liquid-cooled)",
            "accelerator_count": 30_000,
            "tdp_w": 1200.0,
            "idle_w": 150.0,
            # A GB200 compute tray carries 4 GPUs and 2 Grace CPUs (recalled, U).
            "host_idle_w_per_server": 935.0,
            "host_max_w_per_server": 1870.0,
            "accelerators_per_server": 4,
            "network_storage_share": 0.05,
            "utilisation_kind": ComputeFleet.Utilisation.TRAINING,
            "mean_utilisation": 0.85,
            "diurnal_amplitude": 0.0,
            "order": 1,
        },
    )
    _cite(facility, fleet, "accelerator_count", SECONDARY, src["semianalysis"], label="GB200 GPUs",
          note="~30,000 GB200 NVL72 beside ~200,000 H100/H200, ~300 MW (SemiAnalysis, 16 Sep 2025, via a blog, 2°).",
          reason="Fixed: a reported count.")
    _cite(facility, fleet, "tdp_w", U, None, label="B200 (in GB200) TDP",
          note="~1,200 W per Blackwell GPU in a GB200 superchip, recalled; not in factors.md.",
          reason="Fixed: a maximum; the uncertainty sits in utilisation and host power.")
    _cite(facility, fleet, "idle_w", U, None, label="B200 idle power", note="Recalled scale of an idle Blackwell GPU; no source.")
    _cite(facility, fleet, "host_max_w_per_server", U, None, 1400.0, 2340.0, "Host power per GB200 tray (4 GPUs) at full load",
          note="An NVL72 rack draws ~120 kW for 72 GPUs ≈ 1.67 kW per GPU all-in (recalled, U) − 1.2 kW = 467 W × 4 "
          "≈ 1,870 W per tray (Grace CPUs, memory, NICs, NVLink switches' share, fans).",
          reason="Triangular, symmetric ±25 % around the rack-level derivation; nothing published narrows it.")
    _cite(facility, fleet, "host_idle_w_per_server", U, None, 500.0, 1400.0, "Host power per GB200 tray at idle",
          note="Half of the full-load host power, as for the H100 servers (no measurement).",
          reason="Triangular, peak at half the maximum; the high end stops at the lowest host maximum so idle never "
          "exceeds maximum in a draw.")
    _stages(facility, fleet, [
        (_local(2025, 9, 1), 30_000, U, src["semianalysis"], "1 Sep 2025",
         "U: SemiAnalysis reports them in place on 16 Sep 2025 (2°); the 1 September start is our assumption. "
         "Check: 200,000 × 1.19 kW + 30,000 × 1.9 kW ≈ 295 MW at the meter on a September afternoon, close to the "
         "reported ~300 MW."),
    ])


def _cooling(facility, src):
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
          note="Design range for liquid cooling; no primary source (factors.md §2).",
          reason="Triangular, peak at the 1.15 design figure; the upper tail to Uptime's ≤ 1.3 for new large builds "
          "is longer because a site built in months on temporary power is unlikely to beat its design.")
    _cite(facility, cooling, "pue_slope_per_degc", U, None, 0.0, 0.01, "PUE rise per °C of outdoor heat",
          note="Chosen so hot afternoons reach PUE ≈ 1.25; check against measured data.",
          reason="Triangular and symmetric around 0.005/°C: from no temperature effect to twice the chosen one.")
    _cite(facility, cooling, "wue_l_per_kwh", D, src["coolingreport"], 0.27, 1.8, "Water use effectiveness (per kWh of IT)",
          note="812,502 gal/day = 3.08 M L/day over 150 MW ÷ PUE 1.2 = 3.0 GWh of IT a day ≈ 1.0 L/kWh IT "
          "(factors.md's 0.85 L/kWh is per kWh of facility power). Range: best hyperscale to industry average.",
          reason="Triangular, peak at the 1.0 L/kWh derived from the site's own peak water draw; the ends are the best "
          "hyperscale (0.27) and the industry average (1.8), both 2°.")


def _grid(facility, src):
    grid, _ = GridSupply.objects.update_or_create(
        facility=facility, defaults={"utility": "Memphis Light, Gas and Water (TVA power)"}
    )
    contracts = [
        (8.0, _local(2024, 7, 1), GridContract.Status.PENDING, src["patel"],
         "About 8 MW from the grid in July 2024 while the TVA contract was pending (Patel via Tom's Hardware; aterio)."),
        (50.0, _local(2024, 8, 1), GridContract.Status.PENDING, src["aterio"],
         "MLGW supplies up to 50 MW from August 2024 (aterio.io)."),
        (150.0, _local(2025, 5, 1), GridContract.Status.SIGNED, src["chamber"],
         "Phase I on 150 MW of MLGW/TVA grid power from 1 May 2025 (Greater Memphis Chamber)."),
    ]
    kept = []
    for i, (capacity, starts, status, source, note) in enumerate(contracts):
        ends = contracts[i + 1][1] if i + 1 < len(contracts) else None
        contract, _ = GridContract.objects.update_or_create(
            grid=grid, starts=starts, defaults={"capacity_mw": capacity, "ends": ends, "status": status, "note": note}
        )
        kept.append(contract.pk)
        _cite(facility, contract, "capacity_mw", SECONDARY, source, label=f"Grid capacity from {starts.astimezone(LOCAL):%-d %b %Y}",
              note=note, reason="Fixed: a reported contract size; the month is what the source dates.")
    grid.contracts.exclude(pk__in=kept).delete()

    location = GridEmissionRate.Basis.LOCATION
    co2 = _rate(grid, "co2", location, GRID_CO2_LB_PER_MWH, "eGRID2021 (as quoted by MLGW)")
    _cite(facility, co2, "lb_per_mwh", S, src["egrid"], 900.0, 963.0, "Grid CO₂ rate, location-based (eGRID SRTV)",
          note="eGRID SRTV total-output rate as quoted by MLGW (the national 852.30 quoted beside it points to eGRID2021).",
          reason="Triangular, symmetric around the value in use: the rate of the years reported (2024–25) may differ "
          "from the eGRID2021 vintage either way. The width comes from the one later figure held, eGRID2023 SRTV "
          "CO2e 900.82 (2°), mirrored above. The market-based TVA rate is a different basis, not a low end.")
    ch4 = _rate(grid, "ch4", location, round(GRID_CO2_LB_PER_MWH * EGRID2023_CH4_PER_CO2, 5),
                "derived: eGRID2021 CO2 × eGRID2023 SRTV non-baseload CH4/CO2")
    _cite(facility, ch4, "lb_per_mwh", D, src["egrid2023"], round(ch4.lb_per_mwh * 0.5, 5), round(ch4.lb_per_mwh * 1.5, 5),
          "Grid CH₄ rate, location-based (derived)",
          note="D: 931.59 lb CO2/MWh × (0.154 ÷ 1,665.755), the CH4/CO2 ratio of eGRID2023 SRTV non-baseload "
          "output (factors.md §7, 2°); the total-output CH4 rate itself was not found.",
          reason="Triangular ±50 %: a non-baseload (gas and coal) ratio applied to total output could be off by half "
          "either way; symmetric because the direction is unknown.")
    n2o = _rate(grid, "n2o", location, round(GRID_CO2_LB_PER_MWH * EGRID2023_N2O_PER_CO2, 5),
                "derived: eGRID2021 CO2 × eGRID2023 SRTV non-baseload N2O/CO2")
    _cite(facility, n2o, "lb_per_mwh", D, src["egrid2023"], round(n2o.lb_per_mwh * 0.5, 5), round(n2o.lb_per_mwh * 1.5, 5),
          "Grid N₂O rate, location-based (derived)",
          note="D: 931.59 lb CO2/MWh × (0.022 ÷ 1,665.755), the N2O/CO2 ratio of eGRID2023 SRTV non-baseload "
          "output (factors.md §7, 2°); the total-output N2O rate itself was not found.",
          reason="Triangular ±50 %: a non-baseload ratio applied to total output could be off by half either way; "
          "symmetric because the direction is unknown (as for CH4).")
    market = _rate(grid, "co2", GridEmissionRate.Basis.MARKET, 624.94, "TVA 2023")
    _cite(facility, market, "lb_per_mwh", S, src["tva_co2"], label="Grid CO₂ rate, market-based (TVA system 2023)",
          note="TVA's 2023 system rate (own assets and purchases, REC-adjusted), reported beside the location-based "
          "figure per the GHG Protocol scope-2 guidance. Grid NOx and SO2 rates were not found (factors.md §7).",
          reason="Fixed: the supplier's published rate for one year.")
    grid.emission_rates.exclude(pk__in=[co2.pk, ch4.pk, n2o.pk, market.pk]).delete()


def _rate(grid, pollutant, basis, lb_per_mwh, vintage):
    rate, _ = GridEmissionRate.objects.update_or_create(
        grid=grid, pollutant=pollutant, basis=basis, defaults={"lb_per_mwh": lb_per_mwh, "vintage": vintage}
    )
    return rate


def _factor(group, pollutant, **values):
    factor, _ = GeneratorEmissionFactor.objects.update_or_create(
        generator=group, pollutant=pollutant,
        defaults={
            "lb_per_mmbtu": values["lb_per_mmbtu"],
            "controlled_lb_per_mmbtu": values.get("controlled"),
            "part_load_lb_per_mmbtu": values.get("part_load"),
            "limit_g_per_bhp_hr": None,
            "startup_lb_per_event": None,
        },
    )
    return factor


def _generators(facility, src):
    """The generator groups in dispatch order; returns them by key for the scenarios."""
    engines = _engines(facility, src)
    first, permitted, temporary = _turbines(facility, src)
    keep = [engines.pk, first.pk, permitted.pk, temporary.pk]
    facility.generators.exclude(pk__in=keep).delete()
    return {"engines": engines, "first": first, "permitted": permitted, "temporary": temporary}


def _engines(facility, src):
    group, _ = GeneratorGroup.objects.update_or_create(
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
            "controls": GeneratorGroup.Controls.NONE,
            "controls_from": None,
            "shaft_to_electric_efficiency": 0.97,
            "available_from": _local(2024, 6, 1),
            "available_to": None,
            "order": 0,
        },
    )
    _cite(facility, group, "unit_count", SECONDARY, src["patel"], label="Gas engines on site (from Jun 2024)",
          note="14 VoltaGrid generators in July 2024 (Patel/SemiAnalysis via Tom's Hardware, 2°). On site from 1 June "
          "2024 (U: so that they can run before the GPUs; no GPUs are energised in June). No source says they left, "
          "so they stay (U).", reason="Fixed: a reported count.")
    _cite(facility, group, "rated_mw", SECONDARY, src["patel"], 2.0, 3.0, "Output per generator",
          reason="Triangular and symmetric around the reported ~2.5 MW per trailer: 'about' either way.")
    _cite(facility, group, "min_load_fraction", U, None, 0.3, 0.7, "Minimum stable load",
          note="Typical for lean-burn gas engines; no source.",
          reason="Triangular and symmetric around 0.5; no source favours either side.")
    _cite(facility, group, "heat_rate_btu_per_kwh", U, src["voltagrid"], 7600.0, 9000.0, "Generator heat rate (HHV)",
          note="~45–48 % LHV efficiency for Jenbacher J620/J624 (factors.md §5).",
          reason="Triangular, peak at the ~8,200 Btu/kWh HHV of the engine's rated efficiency; the upper tail is longer "
          "because mobile units at part load and in summer heat run less efficiently than rated.")
    _cite(facility, group, "availability", U, None, 0.9, 1.0, "Share of units available",
          reason="Triangular and symmetric around 95 %: rented mobile units with routine maintenance.")

    to_lb = ENGINE_LB_PER_MMBTU_PER_G_PER_BHP_HR
    jjjj_nox = round(JJJJ_G_PER_BHP_HR["nox"] * to_lb, 4)  # 0.3717 lb/MMBtu
    nox_full = round((jjjj_nox + 4.08) / 2, 4)
    nox_part = round((jjjj_nox + 0.847) / 2, 4)
    # AP-42 Table 3.2-2, 4SLB, lb/MMBtu: ≥ 90 % load and < 90 % load (factors.md §4, U; CH4 2°).
    factors = {
        "nox": dict(lb_per_mmbtu=nox_full, part_load=nox_part, controlled=round(nox_full * (1 - SCR_NOX_REMOVAL), 4)),
        "co": dict(lb_per_mmbtu=0.317, part_load=0.557),
        "voc": dict(lb_per_mmbtu=0.118),
        "pm": dict(lb_per_mmbtu=0.0100),  # 7.71E-05 filterable + 9.91E-03 condensable
        "so2": dict(lb_per_mmbtu=5.88e-4),
        "formaldehyde": dict(lb_per_mmbtu=5.28e-2),
        "ch4": dict(lb_per_mmbtu=1.25),  # = 0.567 kg/MMBtu, matches the API Compendium (2°)
    }
    jjjj_reason = (
        f"Uniform between two bounds, nothing between them favoured, so the value in use is the midpoint (the "
        f"median of a uniform, which the headline uses). Low: the NSPS JJJJ limit for new non-emergency SI "
        f"lean-burn gas engines ≥ 500 hp, 1.0 g/bhp-hr (40 CFR 60 Subpart JJJJ Table 1, U: not in factors.md), "
        f"= {jjjj_nox} lb/MMBtu at 8,200 Btu/kWh and 0.97 shaft-to-electric (1 g/bhp-hr = 0.3717 lb/MMBtu, D): "
        f"what a compliant modern engine may emit at most, and lean-burn Jenbachers can meet it. High: AP-42's "
        f"uncontrolled 4SLB factor from 1990s engines (U). Whether mobile 'nonroad' units had to meet JJJJ at all is "
        f"disputed, so neither end is the answer."
    )
    for pollutant, values in factors.items():
        factor = _factor(group, pollutant, **values)
        name = factor.get_pollutant_display()
        if pollutant == "nox":
            _cite(facility, factor, "lb_per_mmbtu", D, src["ap42_32"], jjjj_nox, 4.08, "Engine NOₓ factor, ≥ 90 % load",
                  note=f"D: midpoint of the NSPS JJJJ limit ({jjjj_nox}) and AP-42 Table 3.2-2 4SLB 90–105 % load (4.08, U).",
                  reason=jjjj_reason, distribution=UNIFORM)
            _cite(facility, factor, "part_load_lb_per_mmbtu", D, src["ap42_32"], jjjj_nox, 0.847, "Engine NOₓ factor, < 90 % load",
                  note=f"D: midpoint of the NSPS JJJJ limit ({jjjj_nox}) and AP-42 Table 3.2-2 4SLB < 90 % load (0.847, U).",
                  reason=jjjj_reason.replace("4SLB factor", "4SLB factor below 90 % load (0.847)"), distribution=UNIFORM)
            _cite(facility, factor, "controlled_lb_per_mmbtu", U, None, label="Engine NOₓ with SCR",
                  note="Assumes SCR removes about 90 % of NOx; no source. Used only by the 'generators with SCR' scenario.",
                  reason="Fixed: a what-if, not an estimate of what ran.")
            continue
        status = SECONDARY if pollutant == "ch4" else U
        _cite(facility, factor, "lb_per_mmbtu", status, src["ap42_32"], label=f"Engine {name} factor, ≥ 90 % load",
              note="AP-42 Table 3.2-2, 4-stroke lean-burn, 90–105 % load (factors.md §4)."
              + (" The JJJJ CO limit (2.0 g/bhp-hr ≈ 0.74 lb/MMBtu) lies above it, so it does not bind." if pollutant == "co" else "")
              + (" The JJJJ VOC limit (0.7 g/bhp-hr ≈ 0.26 lb/MMBtu) lies above it." if pollutant == "voc" else ""),
              reason="Fixed: AP-42 publishes one value and no spread.")
        if values.get("part_load") is not None:
            _cite(facility, factor, "part_load_lb_per_mmbtu", U, src["ap42_32"], label=f"Engine {name} factor, < 90 % load",
                  note="AP-42 Table 3.2-2, 4-stroke lean-burn, < 90 % load (factors.md §4).",
                  reason="Fixed: AP-42 publishes one value and no spread.")
    return group


# AP-42 §3.1 gas turbines, uncontrolled, lb/MMBtu (factors.md §4: S except CH4, U).
TURBINE_FACTORS = {"nox": 0.32, "co": 0.082, "voc": 0.0021, "pm": 0.0066, "so2": 0.0034, "formaldehyde": 7.1e-4, "ch4": 8.6e-3}
# The SCHD permit's rolling 12-month caps over 247 MW × 8,760 h × 10.7 MMBtu/MWh (factors.md §4, D).
# VOC (0.0073) and formaldehyde (0.00085) caps lie above the uncontrolled AP-42 factors, so they do
# not bind and the uncontrolled factors stay in force for them.
PERMIT_FACTORS = {"nox": 0.0075, "co": 0.0081, "pm": 0.0063}


def _turbine_group(facility, name, defaults):
    group, _ = GeneratorGroup.objects.update_or_create(
        facility=facility, name=name,
        defaults={
            "kind": GeneratorGroup.Kind.TURBINE,
            "min_load_fraction": 0.4,
            "part_load_heat_rate": [[0.5, 1.25], [0.75, 1.08], [1.0, 1.0]],
            "availability": 0.95,
            "shaft_to_electric_efficiency": 0.97,
            **defaults,
        },
    )
    return group


def _turbines(facility, src):
    permit_from = _local(2025, 7, 2)
    first = _turbine_group(facility, "Solar SMT-130 turbines (first four)", {
        "model_name": "Solar SMT-130 (Titan 130 mobile)", "unit_count": 4, "rated_mw": 16.5,
        "heat_rate_btu_per_kwh": 10700.0, "controls": GeneratorGroup.Controls.SCR, "controls_from": permit_from,
        "available_from": _local(2024, 8, 1), "available_to": None, "order": 1,
    })
    permitted = _turbine_group(facility, "Solar SMT-130 turbines (eleven more, permitted)", {
        "model_name": "Solar SMT-130 (Titan 130 mobile)", "unit_count": 11, "rated_mw": 16.5,
        "heat_rate_btu_per_kwh": 10700.0, "controls": GeneratorGroup.Controls.SCR, "controls_from": permit_from,
        "available_from": _local(2024, 12, 1), "available_to": None, "order": 2,
    })
    temporary = _turbine_group(facility, "Mobile gas turbines (temporary, demobilised May 2025)", {
        "model_name": "Solar mobile turbines, mixed models (unknown)", "unit_count": 20, "rated_mw": 8.7,
        "heat_rate_btu_per_kwh": 11000.0, "controls": GeneratorGroup.Controls.NONE, "controls_from": None,
        "available_from": _local(2025, 2, 1), "available_to": _local(2025, 5, 1), "order": 3,
    })

    _cite(facility, first, "unit_count", SECONDARY, src["aterio_turbines"], label="SMT-130 turbines from Aug 2024",
          note="4 Solar SMT-130 added in August 2024 (aterio.io, 2°); counted among the 15 the SCHD permitted with SCR "
          "from 2 July 2025 (particle.news, 2°), so they stay after May 2025 and run with SCR from the permit date.",
          reason="Fixed: a reported count.")
    _cite(facility, permitted, "unit_count", D, src["permit"], label="SMT-130 turbines from Dec 2024 (the other 11 permitted)",
          note="D: the permit names 15 SMT-130 (2°); 15 − the first 4 = 11. In service from 1 December 2024 (D): the "
          "150,000-GPU stage needs ~166 MW, more than 50 MW grid + 32.5 MW engines + 3 × 16.5 MW turbines (132 MW), so "
          "these units must have run by then; no source dates their arrival.", reason="Fixed: a count.")
    _cite(facility, temporary, "unit_count", D, src["selc"], label="Temporary mobile turbines (Feb–Apr 2025)",
          note="D: SELC counts up to 35 turbines, ~421 MW, in April 2025 (2°); 35 − 15 permitted = 20 units of "
          "(421 − 15 × 16.5) ÷ 20 ≈ 8.7 MW each (a mix of models). On site from 1 February 2025 (D: with Phase 1's "
          "200,000 GPUs; the supply needs none of them, so an earlier date would only add idle units) until 1 May "
          "2025, when about half the turbines were demobilised (Greater Memphis Chamber, 2°): 20 of 35 leave, the 15 "
          "permitted stay. SELC's aerial survey on 15 Jun 2025 still saw ≥ 26 running (connextion.news, 2°), so the "
          "post-May count may be too low.", reason="Fixed: a count.")
    _cite(facility, temporary, "rated_mw", D, src["selc"], 6.0, 11.4, "Output per temporary turbine",
          note="D: (421 − 247.5) MW ÷ 20 units.",
          reason="Triangular and symmetric around the derived 8.7 MW: SELC's 421 MW is 'about', and the mix of models "
          "(5.2 MW Taurus 60 to 16.5 MW SMT-130) is unknown.")
    _cite(facility, temporary, "heat_rate_btu_per_kwh", U, None, 10000.0, 12000.0, "Temporary turbines' heat rate (HHV)",
          note="Unknown models; smaller mobile turbines run less efficiently than the SMT-130's ~10,700.",
          reason="Triangular and symmetric around 11,000: between the SMT-130 (~10,700, U) and smaller units.")
    _cite(facility, temporary, "availability", U, None, 0.9, 1.0, "Share of temporary turbines available",
          reason="Triangular and symmetric around 95 %.")

    rated = None
    heat_rate = None
    controlled_nox = None
    for group in (first, permitted):
        linked = group is permitted
        rated = _cite(facility, group, "rated_mw", D, src["iagt"], 15.0, 18.0, "SMT-130 output per unit",
                      note="D: 247 MW permitted ÷ 15 units = 16.5 MW; the 2005 Titan 130 rating was 15.0 MWe (IAGT, S). "
                      "At ISO conditions: summer heat lowers a gas turbine's output, which the model does not apply.",
                      reason="Triangular and symmetric around 16.5 MW, from the 2005 rating of 15.0 up as far above. "
                      "The same turbine model in every SMT-130 group: drawn once.",
                      same_as=rated if linked else None)
        heat_rate = _cite(facility, group, "heat_rate_btu_per_kwh", U, None, 10000.0, 11500.0, "SMT-130 heat rate (HHV)",
                          note="~10,700 Btu/kWh HHV (~9,700 LHV), Solar spec recalled (factors.md §5, U).",
                          reason="Triangular, peak at the recalled spec; a longer upper tail because mobile units at part "
                          "load and in heat run above their rated heat rate. One turbine model: drawn once for every "
                          "SMT-130 group.", same_as=heat_rate if linked else None)
        _cite(facility, group, "availability", U, None, 0.9, 1.0, "Share of SMT-130 units available",
              reason="Triangular and symmetric around 95 %.")
        _cite(facility, group, "min_load_fraction", U, None, 0.3, 0.5, "SMT-130 minimum stable load",
              note="Typical for a single-shaft industrial gas turbine; no source.",
              reason="Triangular and symmetric around 0.4.")

    for group in (first, permitted, temporary):
        for pollutant, value in TURBINE_FACTORS.items():
            controlled = PERMIT_FACTORS.get(pollutant) if group.controls else None
            factor = _factor(group, pollutant, lb_per_mmbtu=value, controlled=controlled)
            name = factor.get_pollutant_display()
            _cite(facility, factor, "lb_per_mmbtu", U if pollutant == "ch4" else S, src["ap42_31"],
                  label=f"Turbine {name} factor (uncontrolled)",
                  note="AP-42 §3.1 gas turbines, uncontrolled (factors.md §4)."
                  + (" SELC's 1,200–2,100 t/yr for 421 MW implies 0.06–0.11 lb/MMBtu at full load, near AP-42's "
                     "lean-premix 0.099: see the 'turbines-lean-premix' scenario." if pollutant == "nox" else ""),
                  reason="Fixed: AP-42 publishes one value. Whether the units burn lean-premix (dry low-NOx) is a "
                  "discrete unknown, so it is a scenario, not a spread." if pollutant == "nox"
                  else "Fixed: AP-42 publishes one value and no spread.")
            if controlled is None:
                continue
            if pollutant == "nox":
                controlled_nox = _cite(
                    facility, factor, "controlled_lb_per_mmbtu", D, src["permit"], 0.0037, 0.0113,
                    "Permitted turbine NOₓ with SCR",
                    note="D: the permit's 87 t/yr NOx cap over 247 MW × 8,760 h × 10.7 MMBtu/MWh (factors.md §4); "
                    "≈ 2 ppmvd at 15 % O2 (1 ppm ≈ 0.0037 lb/MMBtu).",
                    reason="Triangular and symmetric around the cap-implied 2 ppm: 1 ppm for a well-tuned SCR, 3 ppm "
                    "for startups and ammonia-slip tuning. The same SCR design on every permitted unit: drawn once.",
                    same_as=controlled_nox if group is permitted else None,
                )
            else:
                _cite(facility, factor, "controlled_lb_per_mmbtu", D, src["permit"], label=f"Permitted turbine {name} with SCR",
                      note="D: the permit's rolling 12-month cap over 247 MW × 8,760 h × 10.7 MMBtu/MWh (factors.md §4). "
                      "A cap, not a measurement."
                      + (" A CO this far below AP-42 (0.082) suggests an oxidation catalyst as well as SCR; the "
                         "sources name SCR only." if pollutant == "co" else ""),
                      reason="Fixed: a regulatory cap.")
    return first, permitted, temporary


def _battery(facility, src):
    battery, _ = BatteryStorage.objects.update_or_create(
        facility=facility,
        name="Tesla Megapacks",
        defaults={
            "power_mw": 150.0,
            "energy_mwh": 600.0,
            "round_trip_efficiency": 0.9,
            "dispatch_rule": BatteryStorage.DispatchRule.PEAK_SHAVING,
            "initial_state_of_charge": 0.0,
            "available_from": _local(2025, 5, 1),
            "available_to": None,
            "order": 0,
        },
    )
    _cite(facility, battery, "power_mw", SECONDARY, src["chamber_megapacks"], label="Megapack power (from 1 May 2025)",
          note="Phase I runs on 150 MW of grid power plus 150 MW of Tesla Megapacks from 1 May 2025 (Greater Memphis "
          "Chamber, 2°).", reason="Fixed: a reported size.")
    _cite(facility, battery, "energy_mwh", U, None, label="Megapack energy",
          note="U, a guess: no source gives the MWh. Megapacks ship as 2-hour or 4-hour units; 4 hours × 150 MW = "
          "600 MWh is assumed. The 'megapacks-2-hour' scenario shows 300 MWh.",
          reason="Fixed: the unknown is a discrete choice of configuration (2 h or 4 h), shown as a scenario rather "
          "than a spread between them.")
    _cite(facility, battery, "round_trip_efficiency", U, None, 0.85, 0.93, "Megapack round-trip efficiency",
          note="~0.9 for lithium-ion grid storage, recalled; no source.",
          reason="Triangular, peak 0.9: from 0.85 (auxiliary and cooling load in Memphis summers) to 0.93 (a new "
          "pack's cell-level figure); the lower tail is longer because site losses only subtract.")
    _cite(facility, battery, "initial_state_of_charge", D, None, label="Megapack charge at the start of a period",
          note="Empty: the model charges a battery only from spare grid capacity, and from May 2025 the load (≥ 165 MW) "
          "always exceeds the 150 MW grid, so there is none. A battery full at the start of every report would add "
          "600 MWh a month that was never charged, with no emissions.",
          reason="Fixed: a modelling convention that creates no energy.")
    facility.batteries.exclude(pk=battery.pk).delete()


# The SCHD permit of 2 July 2025 (factors.md §6, 2°: particle.news; foxaction.com reprint): tonnes per
# rolling 12 months, and yearly operating limits.
PERMIT_CAPS_T = {"nox": 87.0, "co": 94.0, "voc": 85.0, "pm": 73.0, PermitLimit.HAP: 14.0, "formaldehyde": 9.8}
PERMIT_RUN_HOURS_PER_YEAR = 110.0
PERMIT_STARTUP_SHUTDOWN_EVENTS_PER_YEAR = 22.0


def _air_permit(facility, src, generators):
    """The SCHD permit for the 15 SMT-130 turbines, its caps and limits (idempotent: one permit, one row per limit)."""
    permit, _ = AirPermit.objects.update_or_create(
        facility=facility, issuer="Shelby County Health Department", issued_on=dt.date(2025, 7, 2),
        defaults={
            "number": "",  # not given in the reports we have: unknown
            "effective_on": dt.date(2025, 7, 2),
            # "Through 2027" (particle.news, 2°): the day is not reported, so the end of 2027.
            "expires_on": dt.date(2027, 12, 31),
            "source": src["permit"],
            "status": SECONDARY,
            "notes": "15 Solar SMT-130 turbines with SCR, 247 MW, through 2027; semiannual reports. Reported by "
                     "particle.news, reprinted by foxaction.com and briefly.co (factors.md §6, 2°); the permit "
                     "document itself has not been read, its number is unknown and 31 Dec 2027 stands for "
                     "'through 2027'.",
        },
    )
    permit.generators.set([generators["first"], generators["permitted"]])
    rows = [(PermitLimit.Kind.EMISSIONS, key, cap) for key, cap in PERMIT_CAPS_T.items()]
    rows += [(PermitLimit.Kind.RUN_HOURS, "", PERMIT_RUN_HOURS_PER_YEAR),
             (PermitLimit.Kind.STARTUP_SHUTDOWN, "", PERMIT_STARTUP_SHUTDOWN_EVENTS_PER_YEAR)]
    keep = []
    for kind, pollutant, value in rows:
        limit, _ = PermitLimit.objects.update_or_create(
            permit=permit, kind=kind, pollutant=pollutant,
            defaults={"value": value, "unit": PermitLimit.KIND_UNITS[kind]},
        )
        keep.append(limit.pk)
    permit.limits.exclude(pk__in=keep).delete()
    return permit


def _scenarios(facility, generators):
    index = {key: list(facility.generators.all()).index(group) for key, group in generators.items()}
    turbines = ("first", "permitted", "temporary")
    scenarios = [
        ("tva-150-mw-aug-2024", "TVA contract 150 MW from August 2024",
         "What if the full grid contract had been in force from 1 August 2024?",
         {"grid.contracts": [{"capacity_mw": 8.0, "starts": _local(2024, 7, 1).isoformat(), "ends": _local(2024, 8, 1).isoformat()},
                             {"capacity_mw": 150.0, "starts": _local(2024, 8, 1).isoformat(), "ends": None}]}),
        ("no-onsite-generators", "No on-site generators", "Grid and battery only: what could not be served without the generators.",
         {"generators": []}),
        ("generators-with-scr", "Gas engines with SCR", "The same VoltaGrid engines with selective catalytic reduction on NOx.",
         {f"generators.{index['engines']}.controls": "scr"}),
        ("engines-at-nsps-jjjj-limits", "Gas engines at the NSPS JJJJ limits",
         "The VoltaGrid engines emitting exactly the NSPS JJJJ limits for new non-emergency gas engines ≥ 500 hp "
         "(NOx 1.0, CO 2.0, VOC 0.7 g/bhp-hr; 40 CFR 60 Subpart JJJJ Table 1, unverified) instead of AP-42.",
         {f"generators.{index['engines']}.limit_factors_g_per_bhp_hr": dict(JJJJ_G_PER_BHP_HR)}),
        ("turbines-lean-premix", "Turbines with lean-premix combustion",
         "Every turbine at AP-42's lean-premix NOx (0.099 lb/MMBtu) instead of uncontrolled (0.32) before any SCR: "
         "Solar's dry low-NOx combustors, if fitted.",
         {f"generators.{index[k]}.emission_factors_lb_per_mmbtu.nox": 0.099 for k in turbines}),
        ("megapacks-2-hour", "Megapacks as 2-hour storage", "150 MW of Megapacks holding 300 MWh instead of the assumed 600 MWh.",
         {"batteries.0.energy_mwh": 300.0}),
    ]
    for slug, name, description, overrides in scenarios:
        Scenario.objects.update_or_create(
            facility=facility, slug=slug, defaults={"name": name, "description": description, "overrides": overrides}
        )
    # "200,000 GPUs" was a what-if; the timeline now carries the 200,000 from February 2025.
    facility.scenarios.filter(slug="200k-gpus").delete()
