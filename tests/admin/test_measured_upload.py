"""The staff console's upload page for measured data (issue 15): a good file is imported with one
admin audit row; a bad one is listed as row, column and reason with nothing stored."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from impact.models import MeasuredDataset, MeasuredValue, Source
from portal.audit.models import StaffAction

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/impact/measureddataset/add/"
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "measured"


@pytest.fixture
def bill(db):
    return Source.objects.create(title="MLGW meter statement", section="July 2024")


def post(client, facility, source, name, content, **extra):
    return client.post(UPLOAD, {
        "facility": facility.pk, "kind": "meter_mwh", "period": "2024-07", "source": source.pk, "status": "S",
        "file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra,
    })


def test_an_analyst_uploads_a_sample_file_with_one_admin_audit_row(analyst, staff_client, memphis, bill):
    client = staff_client(analyst)
    assert client.get(UPLOAD).status_code == 200
    StaffAction.objects.all().delete()
    response = post(client, memphis, bill, "meter_mwh_2024-07.csv", (SAMPLES / "meter_mwh_2024-07.csv").read_bytes())
    dataset = MeasuredDataset.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{dataset.pk}/change/")
    assert (dataset.uploaded_by, dataset.row_count, MeasuredValue.objects.count()) == (analyst, 744, 744)
    [row] = StaffAction.objects.exclude(kind__in=["login", "logout"])
    assert (row.door, row.actor, row.name, row.object_id) == ("admin", analyst, "import measured data", str(dataset.pk))


def test_a_bad_file_is_listed_as_row_column_and_reason_and_nothing_is_stored(analyst, staff_client, memphis, bill):
    client = staff_client(analyst)
    StaffAction.objects.all().delete()
    content = (b"start,end,value,unit\n"
               b"2024-07-01T00:00-05:00,2024-07-01T01:00-05:00,10,MWh\n"
               b"2024-07-01T01:00-05:00,2024-07-01T02:00-05:00,-4,MWh\n")
    response = post(client, memphis, bill, "bad.csv", content)
    assert response.status_code == 400
    html = response.content.decode()
    assert "1 error: nothing was imported." in html
    assert "<td>3</td><td>value</td><td>-4 is negative; measured amounts are zero or more</td>" in html
    assert MeasuredDataset.objects.count() == 0 and MeasuredValue.objects.count() == 0
    assert not StaffAction.objects.exclude(kind__in=["login", "logout"]).exists()


def test_the_same_file_again_says_so_and_adds_nothing(analyst, staff_client, memphis, bill):
    client = staff_client(analyst)
    content = (SAMPLES / "meter_mwh_2024-07.csv").read_bytes()
    post(client, memphis, bill, "a.csv", content)
    response = post(client, memphis, bill, "a-again.csv", content)
    assert response.status_code == 302
    assert MeasuredDataset.objects.count() == 1
    assert StaffAction.objects.filter(name="import measured data").count() == 1


def test_a_moderator_is_refused_the_upload_page(moderator, staff_client, memphis, bill):
    client = staff_client(moderator)
    assert client.get(UPLOAD).status_code == 403
    response = post(client, memphis, bill, "a.csv", (SAMPLES / "meter_mwh_2024-07.csv").read_bytes())
    assert response.status_code == 403 and MeasuredDataset.objects.count() == 0


def test_datasets_cannot_be_changed_or_deleted_in_the_console(analyst, staff_client, memphis, bill):
    client = staff_client(analyst)
    post(client, memphis, bill, "a.csv", (SAMPLES / "meter_mwh_2024-07.csv").read_bytes())
    dataset = MeasuredDataset.objects.get()
    page = client.get(f"/admin/impact/measureddataset/{dataset.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(f"/admin/impact/measureddataset/{dataset.pk}/delete/", {"post": "yes"}).status_code == 403
    assert MeasuredDataset.objects.count() == 1
