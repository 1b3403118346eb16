"""Issue 16: a value the engine would refuse in the worker is refused in the admin, beside its field,
with the engine's own message; a value it accepts still saves."""

from impact.models import Assumption, GeneratorGroup

from ..conftest import form_values


def cited_generator(memphis):
    """The seed's gas-engine group, whose rated output carries the cited range 2–3 MW."""
    assumption = Assumption.objects.get(facility=memphis, field_name="rated_mw", low=2.0, high=3.0)
    return GeneratorGroup.objects.get(pk=assumption.object_id), assumption


def change(client, obj, **values):
    url = f"/admin/impact/{obj._meta.model_name}/{obj.pk}/change/"
    data = form_values(client.get(url))
    data.update(values)
    return client.post(url, data)


def test_a_rated_output_outside_its_recorded_range_is_refused_beside_the_field(analyst, staff_client, memphis):
    group, _ = cited_generator(memphis)
    response = change(staff_client(analyst), group, rated_mw="3.5")
    assert response.status_code == 200  # the form again, not "changed successfully"
    errors = response.context["adminform"].form.errors["rated_mw"]
    assert any("central value 3.5 of generators." in e and "outside low 2 .. high 3" in e for e in errors), errors
    assert GeneratorGroup.objects.get(pk=group.pk).rated_mw == 2.5


def test_a_rated_output_inside_its_range_still_saves(analyst, staff_client, memphis):
    group, _ = cited_generator(memphis)
    response = change(staff_client(analyst), group, rated_mw="2.8")
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert GeneratorGroup.objects.get(pk=group.pk).rated_mw == 2.8


def test_the_facility_pages_generator_inline_refuses_it_too(analyst, staff_client, memphis):
    group, _ = cited_generator(memphis)
    client = staff_client(analyst)
    url = f"/admin/impact/facility/{memphis.pk}/change/"
    data = form_values(client.get(url))
    [key] = [k for k, v in data.items() if k.startswith("generators-") and k.endswith("-id") and str(v) == str(group.pk)]
    data[key.replace("-id", "-rated_mw")] = "3.5"
    response = client.post(url, data)
    assert response.status_code == 200
    [formset] = [f for f in response.context["inline_admin_formsets"] if f.formset.model is GeneratorGroup]
    errors = [e for form in formset.formset.forms for e in form.errors.get("rated_mw", [])]
    assert any("outside low 2 .. high 3" in e for e in errors), errors
    assert GeneratorGroup.objects.get(pk=group.pk).rated_mw == 2.5


def test_a_range_that_no_longer_holds_the_value_in_use_is_refused_beside_low(analyst, staff_client, memphis):
    _, assumption = cited_generator(memphis)
    response = change(staff_client(analyst), assumption, low="2.6")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["low"]
    assert any("2.5" in e and "2.6" in e for e in errors), errors
    assert Assumption.objects.get(pk=assumption.pk).low == 2.0
