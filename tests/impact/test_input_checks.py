"""Inputs that cannot break a run (issue 16): every door that saves a facility input asks the
engine's own validation first, so a value the worker would refuse is refused beside its field."""

import pytest

from impact import adapters
from impact.models import Assumption, GeneratorGroup

pytestmark = pytest.mark.django_db


def cited_generator(memphis):
    """The seed's gas-engine group, whose rated output carries the cited range 2–3 MW."""
    assumption = Assumption.objects.get(facility=memphis, field_name="rated_mw", low=2.0, high=3.0)
    return GeneratorGroup.objects.get(pk=assumption.object_id), assumption


def test_a_rated_output_outside_its_recorded_range_is_refused_with_the_engines_message(memphis):
    group, _ = cited_generator(memphis)
    group.rated_mw = 3.5
    field, message = adapters.proposed_input_error(group)
    assert field == "rated_mw"
    assert "central value 3.5" in message and "outside low 2 .. high 3" in message


def test_a_rated_output_inside_its_range_is_accepted(memphis):
    group, _ = cited_generator(memphis)
    group.rated_mw = 2.8
    assert adapters.proposed_input_error(group) is None
