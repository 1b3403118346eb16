"""What a report gives away: downloads with checksums, the Atom feed, e-mail alerts, the monthly schedule."""

import csv
import datetime as dt
import hashlib
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django_celery_beat.models import PeriodicTask

from impact import services
from impact.figures import public_series_columns
from impact.models import PublishedRunError, ReportMetric, ReportRun, ReportSubscription, SeriesPoint

from ..conftest import verify_second_factor as verified

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_hourly_csv_parses_back_to_the_stored_series(published, anonymous):
    run = published.run
    response = anonymous.get(f"/reports/downloads/{run.pk}.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('_v1_hourly.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    points = list(SeriesPoint.objects.filter(run=run).order_by("timestamp"))
    assert len(rows) == len(points) == 48
    for row, point in zip(rows, points):
        assert row["timestamp_utc"] == point.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        for column in public_series_columns(run.series_columns):  # demand and unserved power are for staff
            stored = point.values[column]
            assert (row[column] == "" and stored is None) or float(row[column]) == pytest.approx(stored, rel=0, abs=0)
    assert "onsite_nox_kg" in rows[0] and "facility_load_mw" in rows[0], "units live in the column names"
    assert "unserved_mw" not in rows[0] and "demand_mw" not in rows[0]


def test_every_download_matches_the_checksum_shown_on_the_page(published, anonymous):
    page = anonymous.get(published.get_absolute_url()).content.decode()
    for artifact in published.run.artifacts.all():
        body = anonymous.get(artifact.get_absolute_url()).content
        digest = hashlib.sha256(body).hexdigest()
        assert digest == artifact.sha256
        assert digest in page
    pdf = anonymous.get(f"/reports/downloads/{published.run.pk}.pdf").content
    assert pdf.startswith(b"%PDF")
    summary = json.loads(anonymous.get(f"/reports/downloads/{published.run.pk}.json").content)
    assert summary["input_hash"] == published.run.input_hash
    assert summary["result"]["base"]["metrics"]["energy_facility_mwh"]["unit"] == "MWh"
    assert any(a["label"] == "H100 SXM TDP" for a in summary["assumptions"])


def test_drafts_downloads_are_for_staff_only(computed_run, anonymous, analyst, login):
    run = computed_run()
    assert anonymous.get(f"/reports/downloads/{run.pk}.csv").status_code == 404
    assert verified(login(analyst), analyst).get(f"/reports/downloads/{run.pk}.csv").status_code == 200


def test_a_published_runs_results_cannot_be_changed_or_deleted(published):
    run = published.run
    metric = ReportMetric.objects.get(run=run, scenario="", key="energy_facility_mwh")
    original = metric.value
    metric.value = 0
    with pytest.raises(PublishedRunError):
        metric.save()
    with pytest.raises(PublishedRunError):
        metric.delete()
    run.error = "tampered"
    with pytest.raises(PublishedRunError):
        run.save()
    with pytest.raises(PublishedRunError):
        published.delete()
    published.changelog = "rewritten history"
    with pytest.raises(PublishedRunError):
        published.save()
    run.refresh_from_db()
    assert run.error == ""
    assert ReportMetric.objects.get(pk=metric.pk).value == original > 0


def test_the_atom_feed_lists_published_versions_and_corrections(published, computed_run, analyst, anonymous):
    correction = computed_run(samples=21)
    services.publish_run(correction, user=analyst, changelog="More Monte Carlo samples.")
    response = anonymous.get("/feeds/reports.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0].startswith("Correction (v2): Memphis Supercluster")
    assert "More Monte Carlo samples." in entries[0].find(f"{ATOM}summary").text
    assert entries[1].find(f"{ATOM}link").get("href").endswith("/v1/")
    assert all(e.find(f"{ATOM}updated") is not None and e.find(f"{ATOM}id") is not None for e in entries)


def test_a_subscription_needs_confirming_and_then_gets_one_mail_per_publication(
    memphis, computed_run, analyst, anonymous, django_capture_on_commit_callbacks
):
    response = anonymous.post("/facilities/memphis-supercluster/subscribe/", {"email": "Neighbour@Example.org"})
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert subscription.email == "neighbour@example.org" and subscription.confirmed_at is None
    assert len(mail.outbox) == 1 and subscription.token in mail.outbox[0].body

    run = computed_run()
    with django_capture_on_commit_callbacks(execute=True):
        version, _ = services.publish_run(run, user=analyst)
    assert len(mail.outbox) == 1, "nobody is mailed before confirming"

    anonymous.get(f"/subscriptions/{subscription.token}/confirm/")
    assert services.notify_subscribers(version.pk) == 1
    assert services.notify_subscribers(version.pk) == 0, "a rerun sends nothing twice"
    assert len(mail.outbox) == 2
    assert version.get_absolute_url() in mail.outbox[1].body
    assert f"/subscriptions/{subscription.token}/unsubscribe/" in mail.outbox[1].body


def test_unsubscribing_takes_a_click_on_a_button_not_just_a_link_follow(memphis, anonymous):
    subscription, _ = services.subscribe(memphis, "a@example.org")
    anonymous.get(f"/subscriptions/{subscription.token}/unsubscribe/")
    assert ReportSubscription.objects.filter(pk=subscription.pk).exists()
    response = anonymous.post(f"/subscriptions/{subscription.token}/unsubscribe/")
    assert b"You are unsubscribed" in response.content
    assert not ReportSubscription.objects.exists()


def test_the_subscribe_honeypot_and_bad_addresses_subscribe_nobody(memphis, anonymous):
    anonymous.post("/facilities/memphis-supercluster/subscribe/", {"email": "bot@example.org", "website": "http://spam"})
    anonymous.post("/facilities/memphis-supercluster/subscribe/", {"email": "not an address"})
    assert not ReportSubscription.objects.exists()
    assert mail.outbox == []


def test_the_monthly_schedule_is_in_the_database_for_staff_to_edit(db):
    task = PeriodicTask.objects.get(task="impact.draft_monthly_reports")
    assert task.crontab.day_of_month == "1" and task.enabled


def test_the_monthly_task_queues_one_draft_per_facility_even_when_run_twice(memphis, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("impact.tasks.compute_report_run.delay", lambda run_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.draft_monthly_reports(today=dt.date(2024, 8, 1))
        second = services.draft_monthly_reports(today=dt.date(2024, 8, 1))
    assert [run.report.period for run in first] == ["2024-07"]
    assert second == []
    assert ReportRun.objects.filter(report__period="2024-07").count() == 1


def test_the_reports_feed_names_its_stylesheet_and_has_a_page_for_people(published, anonymous):
    feed = anonymous.get("/feeds/reports.atom").content.decode()
    assert '<?xml-stylesheet href="/static/core/feed.xsl" type="text/xsl"?>' in feed.partition("<feed")[0]
    root = ET.fromstring(feed)
    related = [link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "related"]
    assert related == ["http://testserver/feeds/reports/"]
    response = anonymous.get("/feeds/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "feed reader" in page and 'value="http://127.0.0.1:8000/feeds/reports.atom"' in page
    assert f'<a href="{published.get_absolute_url()}">{published.report.facility.name}, ' in page
    assert f'href="/facilities/{published.report.facility.slug}/#sub-h"' in page, "the e-mail alternative"


def test_the_facility_page_links_the_reports_feeds_page(published, anonymous):
    page = anonymous.get(f"/facilities/{published.report.facility.slug}/").content.decode()
    assert '<a href="/feeds/reports/">' in page


def test_each_chart_of_a_published_version_links_the_ask_form_about_it(published, anonymous):
    page = anonymous.get(published.get_absolute_url()).content.decode()
    keys = list(published.run.charts.values_list("key", flat=True))
    assert keys
    for key in keys:
        assert f'href="/forum/ask/?report={published.pk}&amp;chart={key}">Ask a question about this chart</a>' in page
