"""Pure-numpy impact engine: facility inputs -> energy, fuel, emissions, water, with scenarios and
Monte Carlo uncertainty. Knows nothing of Django; see docs/engine.md for the model."""

from .errors import EngineError, EngineInputError
from .inputs import (
    GHG_POLLUTANTS,
    POLLUTANTS,
    BatteryInput,
    ClimateInput,
    CoolingInput,
    FacilityInput,
    FleetInput,
    FleetStage,
    FuelInput,
    GeneratorInput,
    GridContract,
    GridInput,
    Period,
    RunOptions,
    Scenario,
    Uncertain,
    UtilisationProfile,
)
from .labels import METRIC_LABELS
from .result import Comparison, Driver, EngineResult, GeneratorStats, Metric, RunResult, Series
from .run import apply_scenario, compute
from .validation import validate
from .version import ENGINE_VERSION

__all__ = [
    "ENGINE_VERSION", "METRIC_LABELS", "POLLUTANTS", "GHG_POLLUTANTS",
    "compute", "validate", "apply_scenario", "compute_reference_loop",
    "EngineError", "EngineInputError",
    "BatteryInput", "ClimateInput", "CoolingInput", "FacilityInput", "FleetInput", "FleetStage", "FuelInput",
    "GeneratorInput",
    "GridContract", "GridInput", "Period", "RunOptions", "Scenario", "Uncertain", "UtilisationProfile",
    "Comparison", "Driver", "EngineResult", "GeneratorStats", "Metric", "RunResult", "Series",
]


def __getattr__(name):
    # The plain-Python reference loop is only for tests and benchmarks; import it lazily.
    if name == "compute_reference_loop":
        from .reference import compute_reference_loop

        return compute_reference_loop
    raise AttributeError(name)
