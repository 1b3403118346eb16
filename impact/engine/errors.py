"""Exceptions raised by the impact engine.

Two kinds, so callers can tell a resident's typo from a bug: :class:`EngineInputError` means the
input cannot be computed (say which field and why); :class:`EngineError` means the engine broke one
of its own invariants (energy balance, fuel, emissions) and refused to return numbers.
"""

from __future__ import annotations


class EngineInputError(ValueError):
    """An input the engine refuses to compute from.

    ``field_path`` uses the same dotted syntax as :class:`~impact.engine.inputs.Uncertain`
    (``"generators.0.min_load_fraction"``); ``scenario`` names the scenario whose overrides made
    the input invalid, if any.
    """

    def __init__(self, field_path: str, message: str, scenario: str | None = None):
        self.field_path = field_path
        self.message = message
        self.scenario = scenario
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.field_path}: {self.message}"
        if self.scenario is not None:
            text = f"scenario {self.scenario!r}: {text}"
        return text

    def __reduce__(self):
        # Celery pickles exceptions; keep the three arguments through a round trip.
        return (type(self), (self.field_path, self.message, self.scenario))


class EngineError(RuntimeError):
    """The engine violated one of its own invariants; the result would be wrong, so none is given."""
