"""Frozen input dataclasses for the impact engine.

The engine knows nothing of Django: ``impact.adapters`` turns database rows into these objects,
and the engine turns them into a :class:`~impact.engine.result.EngineResult`. Units live in the
field names. Every numeric field a resident might question can carry a low/high range through
:class:`Uncertain` entries on :class:`FacilityInput.uncertainties`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

# Pollutant keys used everywhere (engine, database, API, CSV). Mass pollutants are computed for
# on-site combustion and for grid supply separately; "co2e" is derived with the chosen GWP set.
POLLUTANTS = ("co2", "ch4", "n2o", "nox", "co", "voc", "pm", "so2", "formaldehyde")
GHG_POLLUTANTS = ("co2", "ch4", "n2o")


@dataclass(frozen=True)
class UtilisationProfile:
    """How busy the accelerators are, hour by hour.

    ``kind`` is one of:
    - ``"constant"``: ``mean_utilisation`` every hour.
    - ``"training"``: flat high load at ``mean_utilisation`` (checkpoint dips are below hourly
      resolution).
    - ``"inference"``: a diurnal shape (busier in the local afternoon/evening) whose mean over a day
      is ``mean_utilisation``; ``diurnal_amplitude`` is the peak-to-mean swing as a fraction.
    - ``"hourly"``: ``hourly_shape`` gives 24 (a day) or 168 (a week, Monday 00:00 local first)
      utilisation values in 0..1, repeated over the period.
    ``planned_downtime`` lists (start, end) UTC windows in which the fleet idles at 0 utilisation.
    """

    kind: str = "constant"
    mean_utilisation: float = 0.8
    diurnal_amplitude: float = 0.25
    hourly_shape: tuple[float, ...] = ()
    planned_downtime: tuple[tuple[dt.datetime, dt.datetime], ...] = ()


@dataclass(frozen=True)
class FleetStage:
    """From ``starts`` (UTC, inclusive) until the next stage starts, ``accelerator_count``
    accelerators of the fleet are installed and energised, busy per ``utilisation`` (None: the
    fleet's own profile). A stage with 0 accelerators takes the fleet out of service."""

    starts: dt.datetime
    accelerator_count: int
    utilisation: UtilisationProfile | None = None
    label: str = ""


@dataclass(frozen=True)
class FleetInput:
    """A homogeneous group of accelerators and the servers (hosts) that carry them.

    IT power at utilisation u, per step:
        accelerators × (idle_w + (tdp_w − idle_w) × u)
      + servers × (host_idle_w_per_server + (host_max_w_per_server − host_idle_w_per_server) × u)
    times (1 + network_storage_share), where servers = accelerators ÷ accelerators_per_server.
    host idle = host max gives a constant host overhead ("300 W per server").

    Without ``stages`` the fleet has ``accelerator_count`` accelerators energised at all times.
    With stages, the energised count and profile follow the stages (0 before the first), and
    ``accelerator_count`` is the most the fleet ever has (validation checks it).
    """

    name: str
    accelerator_count: int
    tdp_w: float
    idle_w: float
    # Host: CPUs, memory, fans, NICs, PSU losses of one server, at idle and at full load.
    host_idle_w_per_server: float = 0.0
    host_max_w_per_server: float = 0.0
    accelerators_per_server: int = 8
    # Networking and storage outside the servers, as a share of server IT load (0.05 = +5 %).
    network_storage_share: float = 0.0
    utilisation: UtilisationProfile = field(default_factory=UtilisationProfile)
    stages: tuple[FleetStage, ...] = ()


@dataclass(frozen=True)
class CoolingInput:
    """Facility overhead (PUE) and on-site water use (WUE, litres per kWh of IT energy).

    PUE rises linearly by ``pue_slope_per_degc`` for every °C the outdoor temperature is above
    ``pue_reference_temp_c``, and never falls below ``pue_at_reference`` (free cooling does not
    make the overhead negative). A slope of 0 gives a constant PUE.
    """

    pue_at_reference: float
    pue_reference_temp_c: float = 20.0
    pue_slope_per_degc: float = 0.0
    wue_l_per_kwh: float = 0.0


@dataclass(frozen=True)
class ClimateInput:
    """Outdoor temperature, from monthly normals or an explicit hourly series.

    With ``hourly_temp_c`` empty, the engine builds an hourly profile from the twelve monthly
    normal daily lows/highs: the minimum near ``min_hour_local`` and maximum near
    ``max_hour_local`` local standard time (``utc_offset_hours`` from UTC).
    """

    monthly_low_c: tuple[float, ...] = ()
    monthly_high_c: tuple[float, ...] = ()
    utc_offset_hours: float = 0.0
    min_hour_local: int = 6
    max_hour_local: int = 15
    hourly_temp_c: tuple[float, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class GridContract:
    """Contracted grid capacity in force from ``starts`` (inclusive) to ``ends`` (exclusive).

    ``None`` means open-ended. Outside every contract the grid supplies 0 MW.
    """

    capacity_mw: float
    starts: dt.datetime | None = None
    ends: dt.datetime | None = None


@dataclass(frozen=True)
class GridInput:
    """Utility supply: capacity over time and emission rates per MWh drawn.

    ``emission_rates_lb_per_mwh`` are location-based (the grid subregion's average, e.g. eGRID
    SRTV total output): they make the scope-2 figures in every total. ``market_rates_lb_per_mwh``
    are the supplier's own system rates (market-based, GHG Protocol scope-2 guidance), reported
    beside them; empty when unknown. A pollutant missing from a mapping is "not available".
    """

    utility: str
    contracts: tuple[GridContract, ...] = ()
    emission_rates_lb_per_mwh: Mapping[str, float] = field(default_factory=dict)
    # Water consumed by the power plants that make the grid's electricity (a separate line). None:
    # not estimated (no cited figure), so the metric and the column are left out, never shown as 0.
    generation_water_l_per_kwh: float | None = None
    market_rates_lb_per_mwh: Mapping[str, float] = field(default_factory=dict)


# Emission controls a generator group can carry (typed; "" = none).
CONTROLS = ("", "scr", "oxcat", "scr_oxcat")
CONTROL_LABELS = {
    "": "none",
    "scr": "selective catalytic reduction (SCR)",
    "oxcat": "oxidation catalyst",
    "scr_oxcat": "SCR + oxidation catalyst",
}
# AP-42 §3.2 splits engine factors at 90 % load (Table 3.2-2: "90–105 % load" and "<90 % load").
LOAD_BAND_THRESHOLD = 0.9


@dataclass(frozen=True)
class GeneratorInput:
    """A group of identical on-site gas units (reciprocating engines or turbines).

    ``part_load_heat_rate`` lists (load fraction, heat-rate multiplier) points, e.g.
    ((0.5, 1.15), (1.0, 1.0)); empty means the full-load heat rate at every load.

    Emission factors (lb/MMBtu of heat input, HHV), chosen per pollutant and per step, first
    match wins:
    1. ``controlled_factors_lb_per_mmbtu`` while ``controls`` is set and in force (from
       ``controls_from``, UTC; None = the whole time);
    2. ``limit_factors_g_per_bhp_hr``: a certified or regulatory limit (e.g. NSPS JJJJ) in grams
       per brake horsepower-hour, converted with the group's heat rate and
       ``shaft_to_electric_efficiency`` (see ``physics.limit_to_lb_per_mmbtu``);
    3. ``part_load_factors_lb_per_mmbtu`` while a unit runs below LOAD_BAND_THRESHOLD of rating;
    4. ``emission_factors_lb_per_mmbtu`` (AP-42 uncontrolled, at or above the threshold).
    ``startup_lb_per_event`` adds a mass per unit start (a startup/shutdown event), where a
    factor exists. The units may run only between ``available_from`` and ``available_to``.
    """

    name: str
    kind: str  # "engine" (reciprocating, AP-42 §3.2) or "turbine" (AP-42 §3.1)
    unit_count: int
    rated_mw: float
    min_load_fraction: float
    heat_rate_btu_per_kwh: float
    emission_factors_lb_per_mmbtu: Mapping[str, float] = field(default_factory=dict)
    part_load_heat_rate: tuple[tuple[float, float], ...] = ()
    availability: float = 1.0
    controls: str = ""
    controlled_factors_lb_per_mmbtu: Mapping[str, float] = field(default_factory=dict)
    available_from: dt.datetime | None = None
    available_to: dt.datetime | None = None
    controls_from: dt.datetime | None = None
    part_load_factors_lb_per_mmbtu: Mapping[str, float] = field(default_factory=dict)
    limit_factors_g_per_bhp_hr: Mapping[str, float] = field(default_factory=dict)
    shaft_to_electric_efficiency: float = 0.97
    startup_lb_per_event: Mapping[str, float] = field(default_factory=dict)


# Battery dispatch rules.
BATTERY_RULES = ("peak_shaving", "backup_only")


@dataclass(frozen=True)
class BatteryInput:
    """Battery storage (e.g. Tesla Megapacks) in service from ``available_from`` to
    ``available_to`` (UTC, None = open).

    ``dispatch_rule``:
    - ``"peak_shaving"``: discharges to cover load above the grid's capacity before any on-site
      generator starts;
    - ``"backup_only"``: discharges only for load that the grid and the generators cannot cover.
    Either way it charges from spare grid capacity, at most ``power_mw``. Energy stored =
    energy charged × ``round_trip_efficiency`` (all losses booked on charging); it starts the
    period holding ``initial_state_of_charge`` × ``energy_mwh``.
    """

    name: str
    power_mw: float
    energy_mwh: float
    round_trip_efficiency: float = 0.9
    dispatch_rule: str = "peak_shaving"
    initial_state_of_charge: float = 1.0
    available_from: dt.datetime | None = None
    available_to: dt.datetime | None = None


@dataclass(frozen=True)
class FuelInput:
    """Natural gas: higher heating value and Part 98 Subpart C GHG factors per MMBtu (HHV)."""

    hhv_btu_per_scf: float = 1026.0  # 40 CFR 98 Subpart C Table C-1
    co2_kg_per_mmbtu: float = 53.06  # Table C-1
    ch4_kg_per_mmbtu: float = 1.0e-3  # Table C-2
    n2o_kg_per_mmbtu: float = 1.0e-4  # Table C-2


@dataclass(frozen=True)
class Uncertain:
    """A range on one input, addressed by a dotted path into :class:`FacilityInput`.

    Paths name dataclass fields and tuple indices, e.g. ``"fleets.0.tdp_w"``,
    ``"cooling.pue_at_reference"``, ``"generators.1.heat_rate_btu_per_kwh"``,
    ``"generators.0.emission_factors_lb_per_mmbtu.nox"``, ``"grid.emission_rates_lb_per_mwh.co2"``.
    ``distribution`` is ``"triangular"`` (mode = the input's central value) or ``"uniform"``.
    The central run (the headline) uses every uncertain input at the median of its distribution,
    so each headline figure sits inside its own P5–P95.
    """

    path: str
    low: float
    high: float
    distribution: str = "triangular"
    label: str = ""
    # Further paths that are the same physical quantity (the same turbine model's heat rate in two
    # groups, one GPU model's TDP in two fleets): they get the very same draw, not their own.
    also_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class FacilityInput:
    """Everything the engine needs about one facility."""

    name: str
    fleets: tuple[FleetInput, ...]
    cooling: CoolingInput
    grid: GridInput
    generators: tuple[GeneratorInput, ...] = ()
    batteries: tuple[BatteryInput, ...] = ()
    fuel: FuelInput = field(default_factory=FuelInput)
    climate: ClimateInput = field(default_factory=ClimateInput)
    uncertainties: tuple[Uncertain, ...] = ()


@dataclass(frozen=True)
class Period:
    """The time span to compute: ``start`` inclusive, ``end`` exclusive, both UTC-aware."""

    start: dt.datetime
    end: dt.datetime
    step_minutes: int = 60


@dataclass(frozen=True)
class Scenario:
    """A named set of overrides on a facility, applied by dotted path (see :class:`Uncertain`).

    A value replaces the field, e.g. {"fleets.0.accelerator_count": 200_000} or
    {"grid.contracts": (GridContract(150, starts=...),)} or {"generators": ()}.
    """

    name: str
    overrides: Mapping[str, object] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class RunOptions:
    """How to run: GWP set, Monte Carlo sample count and seed (0 samples = central only)."""

    gwp_set: str = "AR6"
    monte_carlo_samples: int = 0
    seed: int = 12345
