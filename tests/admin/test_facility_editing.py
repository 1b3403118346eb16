"""Editing the facility model: inlines, the source and confidence beside each input, physical limits explained."""

from django.contrib.contenttypes.models import ContentType

from impact.models import Assumption, Confidence, Cooling, GeneratorEmissionFactor, GeneratorGroup, Source

from ..conftest import form_values


def change(client, obj, **values):
    url = f"/admin/impact/{obj._meta.model_name}/{obj.pk}/change/"
    data = form_values(client.get(url))
    data.update(values)
    return client.post(url, data)


def test_the_facility_page_edits_cooling_grid_fleets_generators_and_scenarios_inline(analyst, staff_client, memphis):
    page = staff_client(analyst).get(f"/admin/impact/facility/{memphis.pk}/change/")
    assert page.status_code == 200
    inline_models = {inline.formset.model.__name__ for inline in page.context["inline_admin_formsets"]}
    assert {"Cooling", "GridSupply", "ComputeFleet", "GeneratorGroup", "Scenario", "Assumption"} <= inline_models


def test_each_input_shows_its_range_confidence_and_source_beside_it(analyst, staff_client, memphis):
    cooling = memphis.cooling
    source = Source.objects.create(title="Operator filing", section="Table 4")
    Assumption.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(Cooling), object_id=cooling.pk, field_name="pue_at_reference",
        defaults={"facility": memphis, "low": 1.0, "high": 2.0, "status": Confidence.SOURCE, "source": source},
    )
    page = staff_client(analyst).get(f"/admin/impact/cooling/{cooling.pk}/change/").content.decode()
    assert "Range 1–2 (triangular)" in page
    assert "confidence S — read in the cited source" in page
    assert "source: Operator filing, Table 4" in page
    facility_page = staff_client(analyst).get(f"/admin/impact/facility/{memphis.pk}/change/").content.decode()
    assert "source: Operator filing, Table 4" in facility_page  # beside the cooling inline's PUE too


def test_an_input_without_a_source_says_so(analyst, staff_client, memphis):
    cooling = memphis.cooling
    cooling.assumptions.filter(field_name="wue_l_per_kwh").delete()
    page = staff_client(analyst).get(f"/admin/impact/cooling/{cooling.pk}/change/").content.decode()
    assert "No range, confidence or source recorded yet." in page


def test_a_pue_below_1_is_refused_with_the_field_and_the_physical_reason(analyst, staff_client, memphis):
    cooling = memphis.cooling
    response = change(staff_client(analyst), cooling, pue_at_reference="0.9")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["pue_at_reference"]
    assert any("PUE" in e and "less power than its IT load" in e for e in errors), errors
    assert Cooling.objects.get(pk=cooling.pk).pue_at_reference == cooling.pue_at_reference


def test_a_heat_rate_below_3412_btu_per_kwh_is_refused_as_more_than_100_percent_efficient(analyst, staff_client, memphis):
    group = memphis.generators.first()
    response = change(staff_client(analyst), group, heat_rate_btu_per_kwh="3000")
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.errors["heat_rate_btu_per_kwh"])
    assert "Full-load heat rate (Btu/kWh, HHV) must be at least 3412.14, not 3000" in message
    assert "more than 100 %" in message
    assert GeneratorGroup.objects.get(pk=group.pk).heat_rate_btu_per_kwh != 3000


def test_idle_power_above_tdp_is_refused_on_the_fleet(analyst, staff_client, memphis):
    fleet = memphis.fleets.first()
    response = change(staff_client(analyst), fleet, idle_w=str(fleet.tdp_w + 1))
    assert response.status_code == 200
    assert "cannot exceed the TDP" in " ".join(response.context["adminform"].form.errors["idle_w"])


def test_a_controlled_factor_above_the_uncontrolled_one_is_refused(analyst, staff_client, memphis):
    factor = GeneratorEmissionFactor.objects.filter(generator__facility=memphis).first()
    response = change(
        staff_client(analyst), factor, lb_per_mmbtu="0.1", controlled_lb_per_mmbtu="0.5"
    )
    assert response.status_code == 200
    assert "controls such as SCR remove pollutants" in " ".join(
        response.context["adminform"].form.errors["controlled_lb_per_mmbtu"]
    )


def test_a_valid_edit_is_saved_and_logged_with_before_and_after(analyst, staff_client, memphis):
    from portal.audit.models import StaffAction

    cooling = memphis.cooling
    old = cooling.wue_l_per_kwh
    response = change(staff_client(analyst), cooling, wue_l_per_kwh="0.42")
    assert response.status_code == 302
    assert Cooling.objects.get(pk=cooling.pk).wue_l_per_kwh == 0.42
    entry = StaffAction.objects.get(kind="change", object_id=str(cooling.pk), content_type__model="cooling")
    assert entry.actor == analyst
    assert entry.before == {"wue_l_per_kwh": old} and entry.after == {"wue_l_per_kwh": 0.42}


def test_the_facility_form_resubmitted_unchanged_is_accepted(analyst, staff_client, memphis):
    response = change(staff_client(analyst), memphis)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
