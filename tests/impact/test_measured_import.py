"""Staff import CSV files of measured data (issue 15): each documented sample imports; a file with
any error is refused whole with every (row, column, reason) listed; the same file twice is a
no-op; a corrected file supersedes the old one, whose rows stay queryable."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from impact import services
from impact.measured import MeasuredDataError
from impact.models import CemsHour, MeasuredDataset, MeasuredValue, RunLogEntry, Source
from portal.audit.models import StaffAction

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "measured"
HEADER = "start,end,value,unit\n"


@pytest.fixture
def bill(db):
    return Source.objects.create(title="MLGW meter statement", section="July 2024")


def upload(facility, kind, data, user, source, *, period="2024-07", status="S", **extra):
    return services.import_measured(facility, kind, data, user=user, source=source, status=status, period=period, **extra)


def refusal(facility, kind, text, user, source, **extra):
    with pytest.raises(MeasuredDataError) as caught:
        upload(facility, kind, text.encode(), user, source, **extra)
    assert MeasuredDataset.objects.count() == 0
    assert MeasuredValue.objects.count() + RunLogEntry.objects.count() + CemsHour.objects.count() == 0
    assert not StaffAction.objects.filter(name="import measured data").exists()
    return [(e.row, e.column, e.reason) for e in caught.value.errors]


@pytest.mark.parametrize(
    ("kind", "name", "rows", "model"),
    [
        ("meter_mwh", "meter_mwh_2024-07.csv", 744, MeasuredValue),
        ("gas", "gas_2024-07.csv", 1, MeasuredValue),
        ("water", "water_2024-07.csv", 744, MeasuredValue),
        ("run_log", "run_log_2024-07.csv", 4, RunLogEntry),
        ("cems", "cems_2024-07.csv", 14, CemsHour),
    ],
)
def test_each_sample_file_imports_with_its_hash_uploader_source_and_status(memphis, analyst, bill, kind, name, rows, model):
    with (SAMPLES / name).open("rb") as file:
        dataset, created = upload(memphis, kind, file, analyst, bill)
    assert created
    assert (dataset.kind, dataset.file_name, dataset.uploaded_by, dataset.source, dataset.status) == (kind, name, analyst, bill, "S")
    assert len(dataset.sha256) == 64 and dataset.row_count == rows
    assert model.objects.filter(dataset=dataset).count() == rows
    row = StaffAction.objects.get(name="import measured data")
    assert (row.door, row.actor, row.object_id, row.kind) == ("system", analyst, str(dataset.pk), "add")


def test_values_are_normalised_and_the_original_is_kept(memphis, analyst, bill):
    text = HEADER + "2024-07-01T00:00-05:00,2024-07-01T01:00-05:00,150000,kWh\n"
    dataset, _ = upload(memphis, "meter_mwh", text.encode(), analyst, bill)
    value = dataset.values.get()
    assert (value.value, value.unit, value.original_value, value.original_unit) == (150.0, "MWh", 150000.0, "kWh")


def test_gas_by_volume_becomes_mmbtu_with_the_facility_heating_value(memphis, analyst, bill):
    memphis.gas_hhv_btu_per_scf = 1000.0
    text = HEADER + "2024-07-01T00:00-05:00,2024-07-01T01:00-05:00,2000,Mscf\n"
    dataset, _ = upload(memphis, "gas", text.encode(), analyst, bill)
    assert dataset.values.get().value == pytest.approx(2000.0)  # 2,000,000 scf × 1000 Btu/scf = 2000 MMBtu


def test_water_in_gallons_becomes_cubic_metres_and_local_times_are_the_facility_zone(memphis, analyst, bill):
    text = HEADER + "2024-07-01T00:00,2024-07-01T01:00,1000,gal\n"
    dataset, _ = upload(memphis, "water", text.encode(), analyst, bill)
    value = dataset.values.get()
    assert value.value == pytest.approx(3.785411784)
    assert value.start.isoformat() == "2024-07-01T05:00:00+00:00"  # midnight CDT


# --- bad input: refused whole, every error listed --------------------------------------------


def test_a_wrong_unit_is_refused_with_its_row_and_column(memphis, analyst, bill):
    text = HEADER + "2024-07-01T00:00-05:00,2024-07-01T01:00-05:00,10,MMBtu\n"
    [(row, column, reason)] = refusal(memphis, "meter_mwh", text, analyst, bill)
    assert (row, column) == (2, "unit") and "another kind of data" in reason


def test_an_unknown_unit_name_is_refused(memphis, analyst, bill):
    text = HEADER + "2024-07-01T00:00-05:00,2024-07-01T01:00-05:00,10,MWhr\n"
    assert refusal(memphis, "meter_mwh", text, analyst, bill) == [
        (2, "unit", "unknown unit name 'MWhr'; this file takes MWh, kWh")
    ]


def test_duplicated_hours_are_refused_naming_both_rows(memphis, analyst, bill):
    line = "2024-07-01T00:00-05:00,2024-07-01T01:00-05:00,10,MWh\n"
    assert refusal(memphis, "meter_mwh", HEADER + line + line, analyst, bill) == [(3, "start", "duplicated hour: also on row 2")]


def test_duplicated_cems_hours_of_one_unit_are_refused(memphis, analyst, bill):
    head = "unit,hour,heat_input_mmbtu,nox_lb,co2_tons,operating_time\n"
    line = "T-01,2024-07-02T13:00-05:00,330,3.6,19.3,1\n"
    other = "T-02,2024-07-02T13:00-05:00,330,3.6,19.3,1\n"
    assert refusal(memphis, "cems", head + line + other + line, analyst, bill) == [
        (4, "hour", "duplicated hour for unit T-01: also on row 2")
    ]


def test_hours_outside_the_period_are_refused(memphis, analyst, bill):
    text = HEADER + "2024-08-01T00:00-05:00,2024-08-01T01:00-05:00,10,MWh\n"
    errors = refusal(memphis, "meter_mwh", text, analyst, bill)
    assert [(r, c) for r, c, _ in errors] == [(2, "end"), (2, "start")]
    assert "outside the stated period 2024-07-01T00:00-05:00 – 2024-08-01T00:00-05:00" in errors[1][2]


def test_negative_values_are_refused(memphis, analyst, bill):
    text = HEADER + "2024-07-01T00:00-05:00,2024-07-01T01:00-05:00,-3,MWh\n"
    assert refusal(memphis, "meter_mwh", text, analyst, bill) == [(2, "value", "-3 is negative; measured amounts are zero or more")]


def test_every_error_of_a_file_is_listed_and_its_good_rows_are_not_stored(memphis, analyst, bill):
    text = (HEADER + "2024-07-01T00:00-05:00,2024-07-01T01:00-05:00,10,MWh\n"  # good
            "yesterday,2024-07-01T02:00-05:00,ten,MWh\n"
            "2024-07-01T02:00-05:00,2024-07-01T03:00-05:00,5,gallons\n")
    errors = refusal(memphis, "meter_mwh", text, analyst, bill)
    assert [(r, c) for r, c, _ in errors] == [(3, "start"), (3, "value"), (4, "unit")]
    assert "'yesterday' is not an ISO 8601 time" in errors[0][2] and errors[1][2] == "'ten' is not a number"


def test_a_file_missing_a_column_is_refused_naming_it(memphis, analyst, bill):
    text = "start,end,value\n2024-07-01T00:00-05:00,2024-07-01T01:00-05:00,10\n"
    [(row, column, reason)] = refusal(memphis, "meter_mwh", text, analyst, bill)
    assert (row, column) == (1, "unit") and reason.startswith("missing column")


def test_an_empty_file_is_refused(memphis, analyst, bill):
    assert refusal(memphis, "gas", "", analyst, bill) == [(0, "", "the file is empty: it needs a header line and at least one row")]


def test_an_interval_of_neither_an_hour_nor_a_month_is_refused(memphis, analyst, bill):
    text = HEADER + "2024-07-01T00:00-05:00,2024-07-02T00:00-05:00,10,MWh\n"
    assert refusal(memphis, "meter_mwh", text, analyst, bill) == [
        (2, "end", "an interval must be one hour or one calendar month, from its start")
    ]


def test_a_run_that_stops_before_it_starts_or_overlaps_another_is_refused(memphis, analyst, bill):
    text = ("unit,start,stop\n"
            "T-01,2024-07-02T13:00-05:00,2024-07-02T12:00-05:00\n"
            "T-02,2024-07-02T13:00-05:00,2024-07-02T15:00-05:00\n"
            "T-02,2024-07-02T14:00-05:00,2024-07-02T16:00-05:00\n")
    assert refusal(memphis, "run_log", text, analyst, bill) == [
        (2, "stop", "the stop must come after the start"), (4, "start", "overlaps row 3 of unit T-02"),
    ]


def test_a_cems_operating_time_above_one_hour_is_refused(memphis, analyst, bill):
    text = "unit,hour,heat_input_mmbtu,nox_lb,co2_tons,operating_time\nT-01,2024-07-02T13:00-05:00,330,3.6,19.3,1.5\n"
    assert refusal(memphis, "cems", text, analyst, bill) == [(2, "operating_time", "1.5 is more than 1")]


def test_a_file_that_is_not_utf8_or_has_only_a_header_is_refused(memphis, analyst, bill):
    with pytest.raises(MeasuredDataError, match="not UTF-8"):
        upload(memphis, "gas", HEADER.encode() + b"\xff\xfe,\x00\n", analyst, bill)
    assert refusal(memphis, "gas", HEADER, analyst, bill) == [(0, "", "the file has a header but no rows")]


def test_a_period_that_cannot_be_read_is_refused(memphis, analyst, bill):
    text = HEADER + "2024-07-01T00:00-05:00,2024-07-01T01:00-05:00,10,MWh\n"
    [(row, column, reason)] = refusal(memphis, "meter_mwh", text, analyst, bill, period="July")
    assert (row, column) == (0, "") and reason.startswith("period:")


# --- re-upload and corrections ----------------------------------------------------------------


def test_the_same_file_again_is_a_no_op_with_no_second_audit_row(memphis, analyst, bill):
    data = (SAMPLES / "gas_2024-07.csv").read_bytes()
    first, _ = upload(memphis, "gas", data, analyst, bill)
    again, created = upload(memphis, "gas", data, analyst, bill, status="U")
    assert (again, created) == (first, False)
    assert MeasuredDataset.objects.count() == 1 and MeasuredValue.objects.count() == 1
    assert StaffAction.objects.filter(name="import measured data").count() == 1


def test_a_corrected_file_supersedes_the_old_one_whose_rows_stay_queryable(memphis, analyst, bill):
    old, _ = upload(memphis, "gas", (SAMPLES / "gas_2024-07.csv").read_bytes(), analyst, bill)
    fixed = HEADER + "2024-07-01T00:00-05:00,2024-08-01T00:00-05:00,41500.0,Mscf\n"
    new, created = upload(memphis, "gas", fixed.encode(), analyst, bill, supersedes=old, reason="Bill reissued by MLGW")
    old.refresh_from_db()
    assert created and old.superseded and not new.superseded
    assert (new.supersedes, new.reason) == (old, "Bill reissued by MLGW")
    assert old.values.get().original_value == 41250.0 and new.values.get().original_value == 41500.0
    assert MeasuredValue.objects.filter(dataset__superseded=False).get().dataset == new


def test_superseding_without_a_reason_is_refused_and_the_old_dataset_is_untouched(memphis, analyst, bill):
    old, _ = upload(memphis, "gas", (SAMPLES / "gas_2024-07.csv").read_bytes(), analyst, bill)
    fixed = HEADER + "2024-07-01T00:00-05:00,2024-08-01T00:00-05:00,41500.0,Mscf\n"
    with pytest.raises(MeasuredDataError, match="a reason is required"):
        upload(memphis, "gas", fixed.encode(), analyst, bill, supersedes=old, reason="  ")
    old.refresh_from_db()
    assert not old.superseded and MeasuredDataset.objects.count() == 1


def test_a_superseded_dataset_cannot_be_deleted_alone_but_goes_with_its_facility(memphis, analyst, bill):
    from django.db.models import RestrictedError

    old, _ = upload(memphis, "gas", (SAMPLES / "gas_2024-07.csv").read_bytes(), analyst, bill)
    fixed = HEADER + "2024-07-01T00:00-05:00,2024-08-01T00:00-05:00,41500.0,Mscf\n"
    upload(memphis, "gas", fixed.encode(), analyst, bill, supersedes=old, reason="Bill reissued by MLGW")
    with pytest.raises(RestrictedError):
        old.delete()
    memphis.delete()
    assert MeasuredDataset.objects.count() == 0 and MeasuredValue.objects.count() == 0


@pytest.mark.parametrize("persona", ["moderator", "resident"])
def test_a_moderator_or_resident_may_not_import(memphis, bill, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(services.NotPermitted, match="impact.add_measureddataset"):
        upload(memphis, "gas", (SAMPLES / "gas_2024-07.csv").read_bytes(), user, bill)
    assert MeasuredDataset.objects.count() == 0 and not StaffAction.objects.exists()


# --- the command line -------------------------------------------------------------------------


def test_the_command_imports_a_file_as_one_cli_row(memphis, analyst, bill, capsys):
    call_command("import_measured", memphis.slug, "run_log", str(SAMPLES / "run_log_2024-07.csv"), "--period", "2024-07",
                 "--source", str(bill.pk), "--status", "2°", "--as", analyst.username)
    assert RunLogEntry.objects.count() == 4
    row = StaffAction.objects.get()
    assert (row.door, row.actor, row.name) == ("cli", analyst, "import measured data")
    assert "Imported 4 rows" in capsys.readouterr().out


def test_the_command_without_as_acts_as_the_system(memphis, bill):
    call_command("import_measured", memphis.slug, "cems", str(SAMPLES / "cems_2024-07.csv"), "--period", "2024-07",
                 "--source", str(bill.pk), "--status", "U")
    dataset = MeasuredDataset.objects.get()
    row = StaffAction.objects.get()
    assert (dataset.uploaded_by, row.actor, row.door) == (None, None, "cli")


def test_the_command_lists_every_error_and_imports_nothing(memphis, bill, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2024-07-01T00:00-05:00,2024-07-01T01:00-05:00,-1,MWhr\n")
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_measured", memphis.slug, "meter_mwh", str(bad), "--period", "2024-07",
                     "--source", str(bill.pk), "--status", "S")
    err = capsys.readouterr().err
    assert "bad.csv: row 2, column value: -1 is negative" in err and "row 2, column unit: unknown unit name 'MWhr'" in err
    assert MeasuredDataset.objects.count() == 0 and not StaffAction.objects.exists()
