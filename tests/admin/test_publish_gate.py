"""The admin door of the unserved-demand publish gate: refused plainly, published with an acknowledgement."""

from impact.models import ReportVersion
from portal.audit.models import StaffAction

RUNS = "/admin/impact/reportrun/"
ACK = "July 2024 supply is known only from news reports; a grid feed is probably missing from the model."


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_publish_refuses_a_run_above_the_threshold_and_points_at_the_acknowledgement(analyst, staff_client, synthetic_run):
    run = synthetic_run(unserved_share=0.05)
    response = staff_client(analyst).post(RUNS, {"action": "publish", "_selected_action": [run.pk]}, follow=True)
    assert not ReportVersion.objects.exists()
    assert any("5.0 %" in m and "2.0 %" in m and "acknowledgement" in m for m in messages_of(response))


def test_publish_correction_also_refuses_without_an_acknowledgement(analyst, staff_client, synthetic_run):
    run = synthetic_run(unserved_share=0.05)
    action = {"action": "publish_correction", "_selected_action": [run.pk], "apply": "1",
              "changelog": "A first version, so no changelog is needed, but one is given."}
    response = staff_client(analyst).post(RUNS, action, follow=True)
    assert not ReportVersion.objects.exists()
    assert any("acknowledgement" in m for m in messages_of(response))


def test_publish_with_an_acknowledgement_asks_for_it_shows_the_share_then_publishes(analyst, staff_client, synthetic_run):
    run = synthetic_run(unserved_share=0.05)
    client = staff_client(analyst)
    action = {"action": "publish_acknowledged", "_selected_action": [run.pk]}
    page = client.post(RUNS, action)
    assert page.status_code == 200
    assert b'name="acknowledgement"' in page.content and "5.0 %" in page.content.decode()
    too_short = client.post(RUNS, {**action, "apply": "1", "acknowledgement": "ok"})
    assert too_short.status_code == 200 and b"errorlist" in too_short.content
    assert not ReportVersion.objects.exists()
    client.post(RUNS, {**action, "apply": "1", "acknowledgement": ACK})
    version = ReportVersion.objects.get(run=run)
    assert version.unserved_acknowledgement == ACK and version.published_by == analyst
    assert ACK in StaffAction.objects.get(name="publish", object_id=str(version.pk)).reason


def test_a_run_below_the_threshold_publishes_with_the_plain_action(analyst, staff_client, synthetic_run):
    run = synthetic_run(unserved_share=0.01)
    staff_client(analyst).post(RUNS, {"action": "publish", "_selected_action": [run.pk]}, follow=True)
    assert ReportVersion.objects.get(run=run).unserved_acknowledgement == ""
