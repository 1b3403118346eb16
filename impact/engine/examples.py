"""An illustrative facility modelled on xAI's Colossus site in Memphis, built only from
shared/reference/factors.md. For tests, benchmarks and demo seeds, not a measured inventory:
several inputs are status U (marked below) and carry Uncertain ranges."""

from __future__ import annotations

import datetime as dt

from .climate import MEMPHIS_NORMALS
from .inputs import (
    CoolingInput,
    FacilityInput,
    FleetInput,
    GeneratorInput,
    GridContract,
    GridInput,
    Period,
    Scenario,
    Uncertain,
    UtilisationProfile,
)

UTC = dt.timezone.utc

# AP-42 §3.1 gas turbine, uncontrolled, lb/MMBtu (factors.md §4; S except CH4, U).
TURBINE_FACTORS = {"nox": 0.32, "co": 0.082, "voc": 0.0021, "pm": 0.0066, "so2": 0.0034,
                   "formaldehyde": 7.1e-4, "ch4": 8.6e-3}
# Implied by the SCHD permit caps for 15 SMT-130 with SCR (factors.md §4, D: caps, not measurements).
# Only NOx, CO and formaldehyde are replaced: the caps' VOC (0.0073) and PM (0.0063) are not below
# AP-42's uncontrolled 0.0021 and 0.0066, so as "controlled factors" they would add emissions that
# SCR does not cause.
TURBINE_SCR_FACTORS = {"nox": 0.0075, "co": 0.0081, "formaldehyde": 0.00085}
# AP-42 §3.2 4-stroke lean-burn engine, Table 3.2-2, 90-105 % load (factors.md §4; U, CH4 2°).
ENGINE_FACTORS = {"nox": 4.08, "co": 0.317, "voc": 0.118, "pm": 0.0100, "so2": 5.88e-4,
                  "formaldehyde": 5.28e-2, "ch4": 1.25}


def colossus_example() -> FacilityInput:
    """100,000 H100 GPUs, MLGW grid contracts as reported, SMT-130 turbines and VoltaGrid engines."""
    fleet = FleetInput(
        name="H100 SXM",
        accelerator_count=100_000,  # article / mission README
        tdp_w=700.0,  # NVIDIA H100 SXM spec (S)
        idle_w=70.0,  # ~70 W, range 60-145 (U)
        # 1.0 kW all-in per GPU at full load (factors.md §1, D): (700 + 2,000/8) × 1.05 ≈ 998 W.
        # The host idles at the GPU's idle/TDP ratio (an assumption, U): 2,000 × 70/700 = 200 W.
        host_idle_w_per_server=200.0,
        host_max_w_per_server=2000.0,
        accelerators_per_server=8,
        network_storage_share=0.05,
        utilisation=UtilisationProfile(kind="training", mean_utilisation=0.8),
    )
    turbines = GeneratorInput(
        name="SMT-130 turbines",
        kind="turbine",
        unit_count=15,  # SCHD permit, Jul 2025 (2°)
        rated_mw=16.5,  # 247 MW / 15 (D)
        min_load_fraction=0.5,  # assumption (U): typical emissions-compliant turndown
        heat_rate_btu_per_kwh=10_700.0,  # HHV, Solar spec recalled (U)
        emission_factors_lb_per_mmbtu=TURBINE_FACTORS,
        part_load_heat_rate=((0.5, 1.25), (0.75, 1.09), (1.0, 1.0)),  # generic GT curve (U)
        availability=0.95,  # assumption (U)
        controls="scr",
        controlled_factors_lb_per_mmbtu=TURBINE_SCR_FACTORS,
    )
    engines = GeneratorInput(
        name="VoltaGrid engines",
        kind="engine",
        unit_count=14,  # Jul 2024 (2°)
        rated_mw=2.5,  # per trailer (2°)
        min_load_fraction=0.3,  # assumption (U)
        heat_rate_btu_per_kwh=8_200.0,  # Jenbacher J620/J624 HHV (U)
        emission_factors_lb_per_mmbtu=ENGINE_FACTORS,
        part_load_heat_rate=((0.3, 1.3), (0.6, 1.08), (1.0, 1.0)),  # generic recip curve (U)
        availability=1.0,
        available_to=dt.datetime(2025, 5, 1, tzinfo=UTC),  # demobilised with Phase I grid (2°)
    )
    grid = GridInput(
        utility="MLGW / TVA",
        contracts=(
            GridContract(8.0, dt.datetime(2024, 7, 1, tzinfo=UTC), dt.datetime(2024, 8, 1, tzinfo=UTC)),
            GridContract(50.0, dt.datetime(2024, 8, 1, tzinfo=UTC), dt.datetime(2025, 5, 1, tzinfo=UTC)),
            GridContract(150.0, dt.datetime(2025, 5, 1, tzinfo=UTC), None),
        ),
        # MLGW general-power customers 2022, lb CO2/MWh (S). CH4, N2O, NOx, SO2 not found (U).
        emission_rates_lb_per_mwh={"co2": 671.11},
    )
    return FacilityInput(
        name="Colossus (illustrative)",
        fleets=(fleet,),
        # PUE 1.2 liquid-cooled design (U); the temperature slope is an assumption (U).
        # WUE is litres per kWh of IT energy: 812,502 gal/day (2°) over 150 MW of facility load is
        # 0.85 L per facility kWh (factors.md §2, D), i.e. ~1.0 L per IT kWh at PUE 1.2 (D).
        cooling=CoolingInput(pue_at_reference=1.2, pue_reference_temp_c=20.0, pue_slope_per_degc=0.005,
                             wue_l_per_kwh=1.0),
        grid=grid,
        generators=(turbines, engines),
        climate=MEMPHIS_NORMALS,
        uncertainties=(
            Uncertain("fleets.0.idle_w", 60.0, 145.0, label="GPU idle power"),
            Uncertain("fleets.0.utilisation.mean_utilisation", 0.6, 0.95, label="GPU utilisation"),
            Uncertain("cooling.pue_at_reference", 1.1, 1.4, label="PUE at 20 °C"),
            Uncertain("generators.0.heat_rate_btu_per_kwh", 10_000.0, 11_500.0, label="Turbine heat rate"),
            Uncertain("generators.0.controlled_factors_lb_per_mmbtu.nox", 0.0037, 0.0075,
                      label="Turbine NOx with SCR"),
            Uncertain("generators.1.emission_factors_lb_per_mmbtu.nox", 0.847, 4.08, label="Engine NOx"),
            Uncertain("grid.emission_rates_lb_per_mwh.co2", 624.94, 931.59, label="Grid CO2 rate"),
        ),
    )


def year_2025(step_minutes: int = 60) -> Period:
    """Calendar year 2025, UTC."""
    return Period(dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC), step_minutes)


def example_scenarios() -> tuple[Scenario, ...]:
    """Three what-ifs used by the benchmark and the demo."""
    return (
        Scenario("full grid from January", {"grid.contracts": (GridContract(150.0, None, None),)},
                 "MLGW supplies 150 MW all year; generators cover only the rest."),
        Scenario("200,000 GPUs", {"fleets.0.accelerator_count": 200_000},
                 "The fleet doubles with the same grid supply."),
        Scenario("turbines without SCR", {"generators.0.controls": ""},
                 "The same turbines with uncontrolled AP-42 factors."),
    )
