"""Inputs that cannot break a run (issue 16): every door that saves a facility input asks the
engine's own validation first, so a value the worker would refuse is refused beside its field."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from impact import adapters, services
from impact.models import Assumption, Facility, GeneratorGroup, ReportRun

from ..conftest import SHORT

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


def test_a_run_requested_on_a_value_written_past_the_forms_is_refused_with_the_engines_message(memphis):
    group, _ = cited_generator(memphis)
    GeneratorGroup.objects.filter(pk=group.pk).update(rated_mw=3.5)
    with pytest.raises(services.ReportError, match=r"central value 3\.5 .* outside low 2 \.\. high 3"):
        services.request_report(memphis, SHORT, samples=0)
    assert not ReportRun.objects.exists()


def test_an_edit_is_not_blamed_for_a_refusal_that_was_already_there(memphis):
    group, _ = cited_generator(memphis)
    GeneratorGroup.objects.filter(pk=group.pk).update(rated_mw=3.5)
    group.refresh_from_db()
    group.rated_mw = 2.5  # putting the value back is the fix, and saves
    assert adapters.proposed_input_error(group) is None
    group.heat_rate_btu_per_kwh += 1  # an unrelated edit with the old refusal still in place
    group.rated_mw = 3.5
    assert adapters.proposed_input_error(group) is None


def test_an_import_whose_inputs_the_engine_refuses_loads_nothing(db):
    from impact.seed import load_memphis

    def bad_seed():
        facility, created = load_memphis()
        _, assumption = cited_generator(facility)
        GeneratorGroup.objects.filter(pk=assumption.object_id).update(rated_mw=3.5)
        return facility, created

    with mock.patch("impact.seed.load_memphis", bad_seed):
        with pytest.raises(CommandError, match="outside low 2 .. high 3"):
            call_command("load_memphis")
    assert not Facility.objects.exists()


def test_the_cited_seed_still_loads(db):
    facility, created = services.load_seed_facility()
    assert created and adapters.facility_input_error(facility) is None
