"""Publishing: drafts are staff-only, versions are numbered and immutable, corrections explain themselves."""

import pytest

from impact import services
from impact.models import ReportVersion

from ..conftest import verify_second_factor as verified


def test_a_succeeded_run_is_a_draft_that_the_public_cannot_see(computed_run, anonymous, resident, login):
    run = computed_run()
    assert anonymous.get("/reports/memphis-supercluster/2024-07-01..2024-07-02/").status_code == 404
    chart = run.charts.first()
    assert anonymous.get(chart.get_absolute_url()).status_code == 404
    assert anonymous.get(run.get_absolute_url()).status_code == 302  # to the staff login
    assert login(resident).get(run.get_absolute_url()).status_code == 403


def test_staff_see_the_draft_with_its_progress_and_figures(computed_run, analyst, login):
    run = computed_run()
    client = verified(login(analyst), analyst)
    page = client.get(run.get_absolute_url())
    assert page.status_code == 200
    assert b"Draft: not published" in page.content
    assert client.get(run.charts.first().get_absolute_url()).status_code == 200


def test_staff_without_the_second_factor_are_asked_for_it_before_the_draft(computed_run, analyst, login):
    run = computed_run()
    client = login(analyst)
    for url in (run.get_absolute_url(), run.charts.first().get_absolute_url(), f"/reports/downloads/{run.pk}.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/?next="), url


def test_publishing_makes_version_1_public_at_a_stable_permalink(published, anonymous):
    assert published.number == 1
    url = "/reports/memphis-supercluster/2024-07-01..2024-07-02/v1/"
    assert published.get_absolute_url() == url
    page = anonymous.get(url)
    assert page.status_code == 200
    assert b"Version 1, published" in page.content
    assert anonymous.get(f"/reports/{published.pk}/").url == url
    chart = anonymous.get(published.run.charts.get(key="daily-supply", language="en").get_absolute_url())
    assert chart["Content-Type"] == "image/png"
    assert "immutable" in chart["Cache-Control"]


def test_publishing_the_same_run_twice_changes_nothing(published, analyst):
    version, created = services.publish_run(published.run, user=analyst)
    assert (version.pk, created) == (published.pk, False)
    assert ReportVersion.objects.count() == 1


def test_a_correction_needs_a_changelog_and_supersedes_the_old_version(published, computed_run, analyst, anonymous):
    published.report.facility.cooling.__class__.objects.filter(pk=published.report.facility.cooling.pk).update(
        wue_l_per_kwh=0.5
    )
    correction = computed_run()
    with pytest.raises(services.PublishError, match="changelog"):
        services.publish_run(correction, user=analyst)
    v2, created = services.publish_run(correction, user=analyst, changelog="Water use corrected to 0.5 L/kWh.")
    assert created and v2.number == 2
    old = anonymous.get(published.get_absolute_url())
    assert b"superseded by" in old.content
    assert v2.get_absolute_url().encode() in old.content
    latest = anonymous.get("/reports/memphis-supercluster/2024-07-01..2024-07-02/")
    assert b"Version 2, published" in latest.content
    assert b"Water use corrected" in latest.content


def test_a_failed_run_cannot_be_published(computed_run, monkeypatch, analyst):
    from impact import charts

    monkeypatch.setattr(charts, "report_charts", lambda *a, **k: 1 / 0)
    run = computed_run()
    with pytest.raises(services.PublishError, match="failed"):
        services.publish_run(run, user=analyst)
    assert not ReportVersion.objects.exists()


def test_the_report_page_explains_itself(published, anonymous):
    page = anonymous.get(published.get_absolute_url()).content.decode()
    # Plain language, headline figures with units and ranges.
    assert "the site used" in page and "MWh" in page
    assert "90 % range" in page
    # Charts have alt text and the same data as a table.
    for chart in published.run.charts.filter(language="en"):  # the page is read in English
        assert f'alt="{chart.alt_text[:30]}' in page
        assert chart.table["columns"][0] in page
    # Assumptions with sources and confidence.
    assert "H100 SXM TDP" in page
    assert "NVIDIA H100 Tensor Core GPU datasheet" in page
    assert 'status-U' in page and 'status-S' in page
    assert published.run.input_hash[:16] in page


def test_the_home_page_shows_the_latest_published_report(published, anonymous):
    page = anonymous.get("/")
    assert page.status_code == 200
    assert b"Memphis Supercluster" in page.content
    assert b"the site used" in page.content


def test_the_home_page_says_so_when_nothing_is_published(memphis, anonymous):
    page = anonymous.get("/")
    assert page.status_code == 200
    assert b"No report has been published yet" in page.content


def test_the_report_list_shows_the_latest_version_of_each_report(published, computed_run, analyst, anonymous):
    run = computed_run(period="2024-08-01..2024-08-01")
    services.publish_run(run, user=analyst)
    page = anonymous.get("/reports/").content.decode()
    assert "1 Jul 2024 – 2 Jul 2024" in page
    assert "1 Aug 2024 – 1 Aug 2024" in page
    assert anonymous.get("/reports/?facility=nowhere").content.decode().count("<tr>") == 2  # header + "none"


def test_every_number_in_the_plain_language_summary_links_to_its_row(published, anonymous):
    import re

    page = anonymous.get(published.get_absolute_url()).content.decode()
    summary = page.split('id="summary-h"')[1].split("</section>")[0]
    anchors = re.findall(r'href="#([\w-]+)"', summary)
    assert "metric-energy_facility_mwh" in anchors and "comparison-tn_households_electricity" in anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in page, f"{anchor} links to no row"
