"""Editing the facility through time in the admin: stages on the fleet, batteries on the facility,
and the physical reason given when a value breaks a limit."""

from impact.models import BatteryStorage, FleetStage

from .test_facility_editing import change


def test_the_facility_page_edits_batteries_and_the_fleet_page_edits_stages(analyst, staff_client, memphis):
    client = staff_client(analyst)
    page = client.get(f"/admin/impact/facility/{memphis.pk}/change/")
    assert "BatteryStorage" in {i.formset.model.__name__ for i in page.context["inline_admin_formsets"]}
    fleet = memphis.fleets.first()
    page = client.get(f"/admin/impact/computefleet/{fleet.pk}/change/")
    assert "FleetStage" in {i.formset.model.__name__ for i in page.context["inline_admin_formsets"]}
    assert "Host power per server at idle (W)" in page.content.decode()


def test_a_round_trip_efficiency_above_1_is_refused_with_the_reason(analyst, staff_client, memphis):
    battery = memphis.batteries.get()
    response = change(staff_client(analyst), battery, round_trip_efficiency="1.2")
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.errors["round_trip_efficiency"])
    assert "no battery returns more energy than it was charged with" in message
    assert BatteryStorage.objects.get(pk=battery.pk).round_trip_efficiency == battery.round_trip_efficiency


def test_host_idle_above_host_max_is_refused_on_the_fleet(analyst, staff_client, memphis):
    fleet = memphis.fleets.first()
    response = change(staff_client(analyst), fleet, host_idle_w_per_server=str(fleet.host_max_w_per_server + 1))
    assert response.status_code == 200
    assert "cannot exceed host power at full load" in " ".join(response.context["adminform"].form.errors["host_idle_w_per_server"])


def test_the_largest_stage_must_equal_the_fleets_count(analyst, staff_client, memphis):
    fleet = memphis.fleets.first()
    response = change(staff_client(analyst), fleet, accelerator_count=str(fleet.accelerator_count + 1000))
    assert response.status_code == 200
    stage_formset = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is FleetStage)
    assert "is the most it ever has" in " ".join(stage_formset.non_form_errors())


def test_a_stage_above_the_fleets_count_is_refused(analyst, staff_client, memphis):
    fleet = memphis.fleets.first()
    stage = fleet.stages.last()
    page = staff_client(analyst).get(f"/admin/impact/computefleet/{fleet.pk}/change/")
    formset = next(i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is FleetStage)
    index = [f.instance.pk for f in formset.initial_forms].index(stage.pk)
    response = change(staff_client(analyst), fleet, **{f"{formset.prefix}-{index}-accelerator_count": "999999"})
    assert response.status_code == 200
    assert FleetStage.objects.get(pk=stage.pk).accelerator_count == stage.accelerator_count
    assert "more than the fleet" in response.content.decode()
