"""The home page's first screen and the air permit behind it (issue 14)."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from impact import firstscreen
from impact.models import AirPermit, Confidence, Facility, PermitLimit, Report, ReportMetric, ReportRun, ReportVersion, Source

_seq = itertools.count(1)

JULY_2024_NOX_T = 367.0  # about what the seeded July 2024 report says; exact values are set below


def version_of(facility, period="2024-07", start=dt.date(2024, 7, 1), end=dt.date(2024, 8, 1), metrics=None):
    """A published version with the given base-case metrics ({key: (value, p5, p95)}), made directly."""
    report = Report.objects.create(facility=facility, period_kind="month", period=period, start_date=start, end_date=end)
    run = ReportRun.objects.create(report=report, status="succeeded", input_snapshot={}, input_hash=f"{next(_seq):064d}",
                                   finished_at=timezone.now(), summary={})
    for order, (key, (value, p5, p95)) in enumerate((metrics or {}).items()):
        ReportMetric.objects.create(run=run, key=key, label=key, unit="t", value=value, p5=p5, p95=p95, order=order)
    return ReportVersion.objects.create(report=report, number=1, run=run, published_at=timezone.now())


def metrics_of(version):
    return {m.key: m for m in version.run.metrics.all()}


def row(rows, key):
    return next(r for r in rows if r.key == key)


@pytest.fixture
def hall(db):
    return Facility.objects.create(name="Test Hall", slug="test-hall", location="Memphis, TN")


@pytest.fixture
def hall_permit(hall):
    source = Source.objects.create(title="Test permit", section="caps")
    permit = AirPermit.objects.create(facility=hall, issuer="County", issued_on=dt.date(2025, 7, 2),
                                      effective_on=dt.date(2025, 7, 2), expires_on=dt.date(2027, 12, 31),
                                      source=source, status=Confidence.SECONDARY)
    PermitLimit.objects.create(permit=permit, pollutant="nox", value=87.0)
    PermitLimit.objects.create(permit=permit, pollutant="formaldehyde", value=9.8)
    PermitLimit.objects.create(permit=permit, pollutant=PermitLimit.HAP, value=14.0)
    return permit


# --- The permit as data ----------------------------------------------------------------------------


def test_the_seed_holds_the_schd_permit_with_its_caps_and_limits(memphis):
    permit = memphis.air_permits.get()
    assert (permit.issuer, permit.issued_on, permit.effective_on) == ("Shelby County Health Department", dt.date(2025, 7, 2), dt.date(2025, 7, 2))
    assert permit.expires_on.year == 2027 and permit.number == ""
    assert permit.status == Confidence.SECONDARY and "particle.news" in permit.source.publisher
    assert permit.emission_caps() == {"nox": 87.0, "co": 94.0, "voc": 85.0, "pm": 73.0, "hap": 14.0, "formaldehyde": 9.8}
    other = {lim.kind: (lim.value, lim.unit) for lim in permit.limits.exclude(kind=PermitLimit.Kind.EMISSIONS)}
    assert other == {"run_hours": (110.0, "h per year"), "startup_shutdown": (22.0, "events per year")}
    assert set(permit.limits.filter(kind="emissions").values_list("unit", flat=True)) == {"t per rolling 12 months"}
    covered = sorted(g.unit_count for g in permit.generators.all())
    assert sum(covered) == 15 and all("SMT-130" in g.name for g in permit.generators.all())


def test_seeding_twice_keeps_one_permit_and_one_row_per_limit(memphis):
    from impact.seed import load_memphis

    load_memphis()
    assert AirPermit.objects.filter(facility=memphis).count() == 1
    assert PermitLimit.objects.filter(permit__facility=memphis).count() == 8


@pytest.mark.parametrize("value", [0.0, -5.0])
def test_a_cap_must_be_positive(hall_permit, value):
    limit = PermitLimit(permit=hall_permit, pollutant="co", value=value)
    with pytest.raises(ValidationError) as caught:
        limit.full_clean()
    assert "above 0" in str(caught.value.message_dict["value"])
    with pytest.raises(IntegrityError), transaction.atomic():
        limit.save()


def test_an_emissions_cap_needs_a_pollutant_and_its_unit(hall_permit):
    with pytest.raises(ValidationError) as caught:
        PermitLimit(permit=hall_permit, pollutant="", value=5.0).full_clean()
    assert "pollutant" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        PermitLimit(permit=hall_permit, kind=PermitLimit.Kind.RUN_HOURS, value=110.0, unit=PermitLimit.Unit.TONNES_ROLLING_12_MONTHS).full_clean()
    assert "h per year" in caught.value.message_dict["unit"][0]


def test_permit_dates_must_be_in_order(hall_permit):
    hall_permit.expires_on = hall_permit.effective_on
    with pytest.raises(ValidationError) as caught:
        hall_permit.full_clean()
    assert "expire after" in caught.value.message_dict["expires_on"][0]
    hall_permit.expires_on, hall_permit.effective_on = None, dt.date(2025, 7, 1)
    with pytest.raises(ValidationError) as caught:
        hall_permit.full_clean()
    assert "before it is issued" in caught.value.message_dict["effective_on"][0]


# --- The first screen's context ------------------------------------------------------------------


def test_before_the_permit_the_caps_are_labelled_as_what_they_would_have_said(hall, hall_permit):
    version = version_of(hall, metrics={"nox_onsite_t": (JULY_2024_NOX_T, 300.0, 420.0)})
    screen = firstscreen.first_screen(version, metrics_of(version))
    assert screen["permit_framing"] == "before"
    assert "No air permit covered" in screen["permit_note"] and "July 2024" in screen["permit_note"]
    nox = row(screen["air_rows"], "nox")
    # 367 t in one month against an 87 t 12-month cap: 421.8 %, the bar full and marked over.
    assert "Had the later permit applied" in nox.compare and "421.8 %" in nox.compare and "87 t" in nox.compare
    assert nox.bar_step == 100 and nox.over_cap
    assert nox.figure == "367 t" and nox.range == "300–420 t"


def test_a_covered_month_is_framed_against_the_rolling_12_month_cap(hall, hall_permit):
    version = version_of(hall, period="2025-08", start=dt.date(2025, 8, 1), end=dt.date(2025, 9, 1),
                         metrics={"nox_onsite_t": (27.0, 20.0, 35.0), "formaldehyde_onsite_t": (0.49, 0.4, 0.6)})
    screen = firstscreen.first_screen(version, metrics_of(version))
    assert screen["permit_framing"] == "covered"
    nox = row(screen["air_rows"], "nox")
    assert nox.compare == "This month alone is 31.0 % of the permit's 12-month NOₓ cap (87 t)."
    assert nox.bar_step == 30 and not nox.over_cap
    formaldehyde = row(screen["air_rows"], "formaldehyde")
    assert formaldehyde.figure == "490 kg" and "5.0 %" in formaldehyde.compare and "14 t" in formaldehyde.compare


def test_a_missing_figure_reads_not_available_never_zero(hall, hall_permit):
    version = version_of(hall, period="2025-08", start=dt.date(2025, 8, 1), end=dt.date(2025, 9, 1), metrics={})
    screen = firstscreen.first_screen(version, metrics_of(version))
    nox = row(screen["air_rows"], "nox")
    assert nox.figure == "not available" and nox.range == "not available" and nox.bar_step is None
    assert "not available" in nox.compare and "0 %" not in nox.compare
    assert "not available" in screen["lead"][0]


def test_a_facility_without_a_permit_shows_comparisons_with_their_source(hall):
    version = version_of(hall, metrics={"co2e_total_t": (22780.0, 20000.0, 25000.0), "nox_onsite_t": (10.0, 8.0, 12.0)})
    screen = firstscreen.first_screen(version, metrics_of(version))
    assert screen["permit"] is None and "No air permit" in screen["permit_note"]
    co2e = row(screen["air_rows"], "co2e")
    assert "2 × the 11,390 t" in co2e.compare and co2e.status == "S" and "Llama 3.1 model card" in co2e.source
    nox = row(screen["air_rows"], "nox")
    assert nox.bar_step is None and "No permit cap and no local comparison" in nox.compare


def test_each_pollutant_links_its_glossary_entry_and_the_ask_form(hall, hall_permit):
    version = version_of(hall, metrics={"nox_onsite_t": (1.0, 1.0, 1.0)})
    rows = firstscreen.first_screen(version, metrics_of(version), chart_keys={"emissions"})["air_rows"]
    assert [r.key for r in rows] == ["nox", "co", "voc", "pm", "formaldehyde", "so2", "co2e"]
    nox = row(rows, "nox")
    assert nox.glossary == "nox" and nox.means
    assert nox.ask_url.startswith("/forum/ask/?") and f"report={version.pk}" in nox.ask_url and "chart=emissions" in nox.ask_url


def test_the_home_page_is_the_first_screen_not_the_report(published, client):
    page = client.get("/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Read the full report" in text and published.get_absolute_url() in text
    assert 'id="air-nox"' in text and "Next public meeting" in text and "No meeting scheduled" in text
    assert "All figures" not in text  # the report's table lives on the version page


def test_the_home_page_names_the_next_meeting(published, client):
    from portal.forums.models import Meeting

    Meeting.objects.create(facility=published.report.facility, title="Turbines and air", place="Westwood library",
                           starts_at=timezone.now() + dt.timedelta(days=20))
    text = client.get("/").content.decode()
    assert "Turbines and air" in text and "Westwood library" in text and "No meeting scheduled" not in text


def test_with_no_report_published_the_home_page_says_so(db, client):
    text = client.get("/").content.decode()
    assert "No report has been published yet" in text and 'id="air-nox"' not in text


def test_the_glossary_has_an_anchor_for_each_term(db, client):
    text = client.get("/glossary/").content.decode()
    for anchor in ("mw-mwh", "co2e", "nox", "co", "voc", "pm", "so2", "formaldehyde", "pue", "wue", "scope", "p5-p95",
                   "rolling-cap", "served"):
        assert f'id="{anchor}"' in text, anchor
    assert "29.8" in text and "AR6" in text


def test_the_stored_home_page_is_redrawn_when_a_meeting_or_a_cap_changes(published, client):
    from portal.forums.models import Meeting

    assert "No meeting scheduled" in client.get("/").content.decode()  # now stored for anonymous visitors
    Meeting.objects.create(facility=published.report.facility, title="Turbines and air", place="Westwood library",
                           starts_at=timezone.now() + dt.timedelta(days=20))
    assert "Turbines and air" in client.get("/").content.decode()
    nox = PermitLimit.objects.get(permit__facility=published.report.facility, pollutant="nox")
    nox.value = 50.0
    nox.save()
    assert "12-month NOₓ cap (50 t)" in client.get("/").content.decode()


def test_a_cancelled_or_past_meeting_is_not_the_next_one(published, client):
    from portal.forums.models import Meeting

    facility = published.report.facility
    Meeting.objects.create(facility=facility, title="Cancelled hearing", place="Hall", is_cancelled=True,
                           starts_at=timezone.now() + dt.timedelta(days=5))
    Meeting.objects.create(facility=facility, title="Last month's meeting", place="Hall",
                           starts_at=timezone.now() - dt.timedelta(days=30))
    text = client.get("/").content.decode()
    assert "No meeting scheduled" in text and "Cancelled hearing" not in text and "Last month" not in text


def test_a_report_published_with_an_unserved_note_says_so_on_the_first_screen(synthetic_run, analyst, client):
    from impact import services

    run = synthetic_run(unserved_share=0.05)
    services.publish_run(run, user=analyst, acknowledgement="The site ran below the modelled load in the first week.")
    assert "note on demand the model could not serve" in client.get("/").content.decode()
