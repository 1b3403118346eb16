"""Analysts edit air permits and their caps in the admin; each edit is audited, a bad cap explained."""

from impact.models import AirPermit, Facility, GeneratorGroup, PermitLimit

from ..conftest import form_values


def limit_field(data, permit, pollutant):
    """The inline form's prefix of ``pollutant``'s cap on the permit's change page."""
    for key, value in data.items():
        if key.startswith("limits-") and key.endswith("-id") and value:
            prefix = key[: -len("-id")]
            if PermitLimit.objects.get(pk=value).pollutant == pollutant:
                return prefix
    raise AssertionError(f"no {pollutant} row")


def test_an_analyst_changes_a_cap_and_the_change_is_audited(analyst, staff_client, memphis):
    from portal.audit.models import StaffAction

    permit = memphis.air_permits.get()
    client = staff_client(analyst)
    url = f"/admin/impact/airpermit/{permit.pk}/change/"
    data = form_values(client.get(url))
    data[f"{limit_field(data, permit, 'nox')}-value"] = "80"
    response = client.post(url, data)
    assert response.status_code == 302
    nox = permit.limits.get(pollutant="nox")
    assert nox.value == 80.0
    entry = StaffAction.objects.get(kind="change", object_id=str(nox.pk), content_type__model="permitlimit")
    assert entry.actor == analyst and entry.before == {"value": 87.0} and entry.after == {"value": 80.0}


def test_a_cap_of_zero_is_refused_with_the_reason(analyst, staff_client, memphis):
    permit = memphis.air_permits.get()
    client = staff_client(analyst)
    url = f"/admin/impact/airpermit/{permit.pk}/change/"
    data = form_values(client.get(url))
    data[f"{limit_field(data, permit, 'co')}-value"] = "0"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "a cap of 0 or less allows nothing" in response.content.decode()
    assert permit.limits.get(pollutant="co").value == 94.0


def test_a_permit_cannot_cover_another_facilitys_generators(analyst, staff_client, memphis):
    other = Facility.objects.create(name="Other site", slug="other-site")
    group = GeneratorGroup.objects.create(facility=other, name="Other engines", kind="engine", unit_count=1,
                                          rated_mw=1.0, heat_rate_btu_per_kwh=9000.0)
    permit = memphis.air_permits.get()
    client = staff_client(analyst)
    url = f"/admin/impact/airpermit/{permit.pk}/change/"
    data = form_values(client.get(url))
    response = client.post(url, {**data, "generators": [str(group.pk)]})
    assert response.status_code == 200
    assert "belong to another facility" in response.content.decode()
    assert group not in AirPermit.objects.get(pk=permit.pk).generators.all()
