"""Every staff action is logged (who, what, when, before → after); the log is read-only, filterable and exports CSV."""

import csv
import io

from impact.models import Source
from portal.forums.models import PostStatus
from portal.audit.log import record
from portal.audit.models import StaffAction

from .test_moderation_console import make_question

LOG = "/admin/audit/staffaction/"


def rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_adding_changing_and_deleting_in_the_admin_are_logged(analyst, staff_client):
    client = staff_client(analyst)
    client.post("/admin/impact/source/add/", {"title": "EPA AP-42", "section": "Table 3.1-2a", "publisher": "", "url": "", "year": "2000", "note": ""})
    source = Source.objects.get(title="EPA AP-42")
    client.post(f"/admin/impact/source/{source.pk}/change/", {"title": "EPA AP-42", "section": "Table 3.1-2a", "publisher": "US EPA", "url": "", "year": "2000", "note": ""})
    client.post(f"/admin/impact/source/{source.pk}/delete/", {"post": "yes"})
    entries = list(StaffAction.objects.filter(content_type__model="source").order_by("at", "id"))
    assert [e.kind for e in entries] == ["add", "change", "delete"]
    assert all(e.actor == analyst and e.object_id == str(source.pk) for e in entries)
    assert entries[0].after["title"] == "EPA AP-42"
    assert (entries[1].before, entries[1].after) == ({"publisher": ""}, {"publisher": "US EPA"})
    assert entries[2].before["publisher"] == "US EPA" and entries[2].after is None


def test_admin_actions_are_logged_with_the_status_before_and_after(moderator, staff_client, resident):
    question = make_question(resident, status=PostStatus.PENDING)
    staff_client(moderator).post("/admin/forums/question/", {"action": "approve", "_selected_action": [question.pk]})
    entry = StaffAction.objects.get(kind="action")  # one row: the moderation verb's, not the admin mixin's too
    assert (entry.name, entry.actor, entry.door, entry.object_id) == ("moderate: approve", moderator, "admin", str(question.pk))
    assert entry.before["status"] == "pending" and entry.after["status"] == "published"


def test_password_hashes_never_reach_the_log(administrator, staff_client, resident):
    client = staff_client(administrator)
    client.post(f"/admin/accounts/user/{resident.pk}/password/", {"password1": "a new long passphrase 42", "password2": "a new long passphrase 42", "usable_password": "true"})
    for entry in StaffAction.objects.all():
        assert "md5$" not in str(entry.before) + str(entry.after)


def test_the_log_is_read_only_even_for_a_superuser(administrator, staff_client):
    entry = record(administrator, StaffAction.Kind.CHANGE, name="something")
    client = staff_client(administrator)
    assert client.get(f"{LOG}add/").status_code == 403
    assert client.post(f"{LOG}{entry.pk}/change/", {"reason": "rewritten"}).status_code == 403
    assert client.post(f"{LOG}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert StaffAction.objects.get(pk=entry.pk).reason == ""


def test_the_log_filters_by_kind_and_actor(role_administrator, staff_client, analyst, moderator):
    record(analyst, StaffAction.Kind.ADD, name="by the analyst")
    record(moderator, StaffAction.Kind.ACTION, name="by the moderator")
    client = staff_client(role_administrator)
    by_kind = client.get(LOG, {"kind__exact": "add"}).content.decode()
    assert "by the analyst" in by_kind and "by the moderator" not in by_kind
    by_actor = client.get(LOG, {"actor__id__exact": moderator.pk}).content.decode()
    assert "by the moderator" in by_actor and "by the analyst" not in by_actor


def test_the_filtered_log_exports_as_csv_with_formula_cells_escaped(role_administrator, staff_client, analyst):
    record(analyst, StaffAction.Kind.ADD, name="=HYPERLINK(\"http://evil\")", before=None, after={"title": "+1"})
    record(analyst, StaffAction.Kind.DELETE, name="not exported")
    client = staff_client(role_administrator)
    assert b"export.csv?" in client.get(LOG, {"kind__exact": "add"}).content
    response = client.get(f"{LOG}export.csv", {"kind__exact": "add"})
    assert response["Content-Type"].startswith("text/csv")
    table = rows(response)
    assert table[0][:5] == ["at", "actor", "door", "kind", "name"]
    assert len(table) == 2
    assert table[1][4] == "'=HYPERLINK(\"http://evil\")"
    assert table[1][1] == "ana"
    assert StaffAction.objects.filter(kind="export", actor=role_administrator).exists()


def test_selected_entries_export_as_csv_too(role_administrator, staff_client, analyst):
    entry = record(analyst, StaffAction.Kind.ADD, name="chosen")
    record(analyst, StaffAction.Kind.ADD, name="left out")
    response = staff_client(role_administrator).post(LOG, {"action": "export_csv", "_selected_action": [entry.pk]})
    table = rows(response)
    assert [r[4] for r in table[1:]] == ["chosen"]


def test_logins_to_the_staff_console_are_logged(analyst, client):
    from .test_security import log_in

    log_in(client, analyst, password="wrong")  # (a wrong code would also pause the device for a second)
    log_in(client, analyst)
    kinds = list(StaffAction.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["login_failed", "login"]
    assert StaffAction.objects.get(kind="login").actor == analyst


# Issue 16: each role reads its own trail; administrators read everyone's.


def test_moderators_and_analysts_read_the_audit_rows_of_their_own_actions_only(staff_client, analyst, moderator, role_administrator):
    mine = {analyst: record(analyst, StaffAction.Kind.ADD, name="by the analyst"),
            moderator: record(moderator, StaffAction.Kind.ACTION, name="by the moderator")}
    record(role_administrator, StaffAction.Kind.CHANGE, name="by the administrator")
    for person, other in ((analyst, moderator), (moderator, analyst)):
        client = staff_client(person)
        listing = client.get(LOG)
        assert listing.status_code == 200
        html = listing.content.decode()
        assert f"by the {person.groups.get().name}" in html
        assert f"by the {other.groups.get().name}" not in html and "by the administrator" not in html
        assert client.get(f"{LOG}{mine[person].pk}/change/").status_code == 200
        assert client.get(f"{LOG}{mine[other].pk}/change/").status_code == 403
        exported = rows(client.get(f"{LOG}export.csv"))
        # Their own rows, the export's own row among them.
        assert {row[4] for row in exported[1:]} == {f"by the {person.groups.get().name}", "audit log CSV"}
    everyone = staff_client(role_administrator).get(LOG).content.decode()
    assert "by the analyst" in everyone and "by the moderator" in everyone and "by the administrator" in everyone
