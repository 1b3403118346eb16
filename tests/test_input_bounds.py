"""Bad numbers at the boundary (issue 11): every numeric facility input has one physical bound,
refused alike by the model, the admin form and the engine; ids too long for a 64-bit integer are
404s before any query; odd terms in the admin's source autocomplete never crash it."""

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import capfirst

from impact import adapters
from impact.engine import EngineInputError, Period
from impact.engine.bounds import BOUNDS, number
from impact.engine.paths import set_path
from impact.engine.validation import validate_facility
from impact.models import (
    Assumption,
    BatteryStorage,
    BoundMaxValidator,
    BoundMinValidator,
    ComputeFleet,
    Cooling,
    Facility,
    FleetStage,
    GeneratorEmissionFactor,
    GeneratorGroup,
    GridContract,
    GridEmissionRate,
    GridSupply,
    Source,
    field_bound,
)

# The staff console's verified-session fixture (and its fast hashing and fresh cache) live in tests/admin.
from .admin.conftest import fast_password_hashing, fresh_cache, staff_client  # noqa: F401
from .admin.test_facility_editing import change, form_values

pytestmark = pytest.mark.django_db

FACILITY_MODELS = [
    Facility, ComputeFleet, FleetStage, Cooling, GridSupply, GridContract, GridEmissionRate, GeneratorGroup,
    GeneratorEmissionFactor, BatteryStorage,
]
# Numbers on those rows that are not physical inputs.
NOT_INPUTS = {"id", "order"}
HUGE = "99999999999999999999"  # 20 digits: more than a 64-bit integer holds


def numeric_inputs():
    for model in FACILITY_MODELS:
        for field in model._meta.concrete_fields:
            numeric = field.get_internal_type() in ("FloatField", "PositiveIntegerField", "PositiveSmallIntegerField")
            if numeric and not field.is_relation and field.name not in NOT_INPUTS:
                yield model, field


INPUTS = [pytest.param(model, field, id=f"{model.__name__}.{field.name}") for model, field in numeric_inputs()]


def bound_name(field):
    return next(v.bound_name for v in field.validators if isinstance(v, BoundMaxValidator))


# --- One table, used by the model -----------------------------------------------------------------


@pytest.mark.parametrize("model, field", INPUTS)
def test_every_numeric_input_of_the_facility_model_has_a_physical_bound(model, field):
    assert field_bound(field) is not None, f"{model.__name__}.{field.name} has no bound in impact.engine.bounds"


@pytest.mark.parametrize("model, field", INPUTS)
def test_the_model_validators_take_their_limits_from_the_engine_table(model, field):
    bound = BOUNDS[bound_name(field)]
    lows = [v.limit_value for v in field.validators if isinstance(v, BoundMinValidator)]
    highs = [v.limit_value for v in field.validators if isinstance(v, BoundMaxValidator)]
    assert (lows, highs) == ([bound.low], [bound.high])


def test_every_bound_is_a_real_range_with_a_unit_and_a_reason():
    for name, bound in BOUNDS.items():
        assert bound.low < bound.high, name
        assert bound.unit and bound.what and bound.why, name


@pytest.fixture
def rows(memphis):
    """One saved row of each facility model, from the Memphis seed."""
    return {model: memphis if model is Facility else model.objects.first() for model in FACILITY_MODELS}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize("model, field", INPUTS)
def test_nan_and_infinity_are_refused_at_the_model_naming_the_field_and_its_bound(rows, model, field, value):
    row = rows[model]
    setattr(row, field.attname, value)
    with pytest.raises(ValidationError) as err:
        row.full_clean()
    messages = err.value.message_dict[field.name]
    bound = field_bound(field)
    assert any(capfirst(field.verbose_name) in m and bound.describe() in m for m in messages), messages


@pytest.mark.parametrize("model, field", INPUTS)
def test_1e308_is_refused_at_the_model_with_the_upper_bound(rows, model, field):
    row = rows[model]
    setattr(row, field.attname, 1e308 if field.get_internal_type() == "FloatField" else 10**308)
    with pytest.raises(ValidationError) as err:
        row.full_clean()
    messages = err.value.message_dict[field.name]
    bound = field_bound(field)
    assert any(bound.what.lower() in m.lower() and f"less than or equal to {number(bound.high)}" in m for m in messages), messages


@pytest.mark.parametrize("model, field", INPUTS)
def test_the_upper_bound_itself_is_accepted_by_the_field(model, field):
    for validator in field.validators:
        validator(field_bound(field).high)


def test_a_climate_normal_of_1e308_degrees_is_refused(memphis):
    memphis.climate_monthly_high_c = [1e308] * 12
    with pytest.raises(ValidationError) as err:
        memphis.full_clean()
    assert "-90–60 °C" in " ".join(err.value.message_dict["climate_monthly_high_c"])


def test_an_infinite_part_load_heat_rate_multiplier_is_refused(memphis):
    group = memphis.generators.first()
    group.part_load_heat_rate = [[0.5, float("inf")], [1.0, 1.0]]
    with pytest.raises(ValidationError) as err:
        group.full_clean()
    assert "at most 10" in err.value.message_dict["part_load_heat_rate"][0]


def test_an_assumption_range_beyond_the_physical_bound_of_its_field_is_refused(memphis):
    cooling = memphis.cooling
    a = Assumption(facility=memphis, target=cooling, field_name="pue_at_reference", low=1.0, high=5.0)
    with pytest.raises(ValidationError) as err:
        a.clean()
    assert "PUE at the reference temperature" in err.value.message_dict["high"][0]
    assert "1–3 ratio" in err.value.message_dict["high"][0]


def test_every_seeded_assumption_range_lies_within_its_bound(memphis):
    for a in memphis.all_assumptions.all():
        a.full_clean()


# --- The admin form -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row, field",
    [
        (lambda m: m.cooling, "pue_at_reference"),
        (lambda m: m.cooling, "wue_l_per_kwh"),
        (lambda m: m.generators.first(), "rated_mw"),
        (lambda m: m.generators.first(), "heat_rate_btu_per_kwh"),
        (lambda m: m.fleets.first(), "tdp_w"),
    ],
    ids=["cooling-pue", "cooling-wue", "generator-rated-mw", "generator-heat-rate", "fleet-tdp"],
)
@pytest.mark.parametrize("typed", ["1e308", "NaN", "inf"])
def test_the_admin_form_refuses_an_impossible_number_and_saves_nothing(analyst, staff_client, memphis, row, field, typed):
    obj = row(memphis)
    before = getattr(obj, field)
    response = change(staff_client(analyst), obj, **{field: typed})
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors[field])
    if typed == "1e308":
        bound = field_bound(type(obj)._meta.get_field(field))
        assert f"less than or equal to {number(bound.high)}" in errors and bound.why in errors, errors
    else:
        assert "Enter a number" in errors, errors
    obj.refresh_from_db()
    assert getattr(obj, field) == before


# --- The engine: the same value, the same bound ---------------------------------------------------

ENGINE_PATHS = [
    (Cooling, "pue_at_reference", "cooling.pue_at_reference"),
    (Cooling, "wue_l_per_kwh", "cooling.wue_l_per_kwh"),
    (ComputeFleet, "tdp_w", "fleets.0.tdp_w"),
    (ComputeFleet, "accelerator_count", "fleets.0.accelerator_count"),
    (GeneratorGroup, "rated_mw", "generators.0.rated_mw"),
    (GeneratorGroup, "heat_rate_btu_per_kwh", "generators.0.heat_rate_btu_per_kwh"),
    (GeneratorGroup, "unit_count", "generators.0.unit_count"),
    (GeneratorEmissionFactor, "lb_per_mmbtu", "generators.0.emission_factors_lb_per_mmbtu.nox"),
    (GridContract, "capacity_mw", "grid.contracts.0.capacity_mw"),
    (GridEmissionRate, "lb_per_mwh", "grid.emission_rates_lb_per_mwh.co2"),
    (BatteryStorage, "energy_mwh", "batteries.0.energy_mwh"),
    (Facility, "gas_hhv_btu_per_scf", "fuel.hhv_btu_per_scf"),
]


@pytest.mark.parametrize("model, field_name, path", ENGINE_PATHS, ids=[p for _, _, p in ENGINE_PATHS])
def test_the_engine_refuses_1e308_with_the_same_bound_as_the_model(memphis, model, field_name, path):
    facility = adapters.engine_facility(adapters.facility_snapshot(adapters.load_facility(memphis.slug)))
    period = Period(dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc), dt.datetime(2024, 7, 2, tzinfo=dt.timezone.utc))
    validate_facility(facility, period)  # the seed itself is valid
    bound = field_bound(model._meta.get_field(field_name))
    for value in (1e308, bound.high * 1.001 + 1):
        with pytest.raises(EngineInputError) as err:
            validate_facility(set_path(facility, path, value), period, strict_integers=False)
        assert err.value.field_path == path
        assert f"physical bound of {number(bound.high)}" in str(err.value)


def test_the_engine_refuses_nan_and_infinity_in_every_bounded_input(memphis):
    facility = adapters.engine_facility(adapters.facility_snapshot(adapters.load_facility(memphis.slug)))
    period = Period(dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc), dt.datetime(2024, 7, 2, tzinfo=dt.timezone.utc))
    for _, _, path in ENGINE_PATHS:
        for value in (float("nan"), float("inf")):
            with pytest.raises(EngineInputError, match="not a finite number"):
                validate_facility(set_path(facility, path, value), period, strict_integers=False)


def test_the_engine_accepts_an_input_at_its_upper_bound(memphis):
    facility = adapters.engine_facility(adapters.facility_snapshot(adapters.load_facility(memphis.slug)))
    period = Period(dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc), dt.datetime(2024, 7, 2, tzinfo=dt.timezone.utc))
    at_high = dataclasses.replace(facility, cooling=dataclasses.replace(facility.cooling, pue_at_reference=BOUNDS["pue"].high))
    validate_facility(at_high, period)


# --- Ids in URLs ----------------------------------------------------------------------------------

HUGE_ID_URLS = [
    f"/reports/charts/{HUGE}/x.png",
    f"/reports/downloads/{HUGE}.csv",
    f"/reports/{HUGE}/",
    f"/reports/runs/{HUGE}/",
    f"/reports/memphis-supercluster/2024-07/v{HUGE}/",
    f"/forum/questions/{HUGE}/",
    f"/forum/questions/{HUGE}/some-title/",
    f"/forum/question/{HUGE}/flag/",
    f"/forum/meetings/{HUGE}/",
    f"/forum/meetings/{HUGE}/meeting.ics",
    f"/api/v1/questions/{HUGE}/",
    f"/api/v1/meetings/{HUGE}/",
    f"/api/v1/report-runs/{HUGE}/",
    f"/api/v1/report-runs/{HUGE}/result/",
    f"/api/v1/report-versions/{HUGE}/",
    f"/api/v1/report-versions/{HUGE}/bundle/",
    f"/api/v1/assumptions/{HUGE}/",
]


@pytest.mark.parametrize("url", HUGE_ID_URLS)
def test_an_id_too_long_for_a_64_bit_integer_is_a_404_before_any_query(client, url):
    client.raise_request_exception = False
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 404
    assert not queries.captured_queries, [q["sql"] for q in queries.captured_queries]
    if url.startswith("/api/"):
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("url", [f"/reports/runs/{HUGE}/", f"/reports/charts/{HUGE}/x.png", f"/api/v1/report-runs/{HUGE}/"])
def test_staff_get_the_same_404_for_a_huge_id(analyst, staff_client, url):
    client = staff_client(analyst)
    client.raise_request_exception = False
    assert client.get(url).status_code == 404


def test_an_18_digit_id_still_reaches_the_view(client):
    assert client.get("/reports/charts/999999999999999999/x.png").status_code == 404  # no such run, but no crash
    assert client.get("/forum/questions/999999999999999999/").status_code == 404


def test_ids_in_links_still_reverse(memphis):
    from django.urls import reverse

    assert reverse("impact:chart", args=[12, "energy", "png"]) == "/reports/charts/12/energy.png"
    assert reverse("forums:flag", kwargs={"kind": "question", "pk": 7}) == "/forum/question/7/flag/"


# --- Admin autocomplete and search boxes ----------------------------------------------------------

ODD_TERMS = ["NaN", "1e308", "inf", "-0", HUGE, f"-{HUGE}"]


@pytest.mark.parametrize("term", ODD_TERMS)
def test_the_source_autocomplete_answers_odd_terms(administrator, staff_client, memphis, term):
    client = staff_client(administrator)
    Source.objects.create(title="NaN handling in eGRID", section="Table 1e308")
    response = client.get(
        "/admin/autocomplete/", {"app_label": "impact", "model_name": "assumption", "field_name": "source", "term": term}
    )
    assert response.status_code == 200
    assert "results" in response.json()


@pytest.mark.parametrize("term", ODD_TERMS)
def test_an_odd_value_posted_for_the_autocompleted_source_is_a_form_error(administrator, staff_client, memphis, term):
    client = staff_client(administrator)
    assumption = memphis.all_assumptions.first()
    url = f"/admin/impact/assumption/{assumption.pk}/change/"
    data = form_values(client.get(url))
    data["source"] = term
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in " ".join(response.context["adminform"].form.errors["source"])
    assert Assumption.objects.get(pk=assumption.pk).source_id == assumption.source_id


def test_an_odd_source_on_an_inline_assumption_is_a_form_error_too(administrator, staff_client, memphis):
    client = staff_client(administrator)
    cooling = memphis.cooling
    url = f"/admin/impact/cooling/{cooling.pk}/change/"
    data = form_values(client.get(url))
    prefix = next(k for k in data if k.endswith("-0-source"))
    data[prefix] = "1e308"
    response = client.post(url, data)
    assert response.status_code == 200


SEARCHABLE = [
    "impact/source", "impact/facility", "impact/assumption", "impact/reportsubscription", "accounts/user",
    "forums/question", "forums/reply", "audit/staffaction",
]


@pytest.mark.parametrize("term", ODD_TERMS)
def test_every_admin_search_box_answers_odd_terms(administrator, staff_client, term):
    client = staff_client(administrator)
    for changelist in SEARCHABLE:
        assert client.get(f"/admin/{changelist}/", {"q": term}).status_code == 200, changelist

