"""manage.py restore_drill (issue 13): a backup restored into a scratch database holds every row.

Runs on the database the suite runs on: SQLite by default, PostgreSQL (pg_dump / pg_restore, one
exported snapshot) when DATABASE_URL names one, as in CI's second pass.
"""

import io
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal.forums.models import Question


def drill(*args):
    out = io.StringIO()
    call_command("restore_drill", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def version(computed_run):
    """A published version, by the system (as serve's first report): a transactional test's flush
    leaves role groups without the permissions their migrations gave them, so no analyst here."""
    from impact import services

    return services.publish_run(computed_run())[0]


@pytest.fixture
def question(resident):
    return Question.objects.create(author=resident, title="How much gas last month?", body="x", topic="energy")


@pytest.fixture
def tools():
    if connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump and pg_restore are needed for the PostgreSQL restore drill")


@pytest.mark.django_db(transaction=True)
def test_the_drill_restores_every_table_with_every_row(memphis, version, question, tools):
    out = drill()
    assert "Restore drill passed" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:] if line.count(" ") > 2}
    assert rows["forums_question"] == [str(Question.objects.count())] * 2
    assert rows["impact_seriespoint"][0] == rows["impact_seriespoint"][1] != "0", "a published run's hours too"
    assert "≠" not in out


@pytest.mark.django_db(transaction=True)
def test_a_kept_backup_restores_again_with_from_dump(memphis, question, tools, tmp_path):
    backup = tmp_path / "portal.backup"
    drill("--keep-dump", str(backup))
    assert backup.stat().st_size > 10_000
    Question.objects.create(author=question.author, title="Asked after the backup", body="x", topic="energy")
    out = drill("--from-dump", str(backup))
    assert "Restore drill passed" in out
    # An older backup has one question fewer than today: shown, not failed.
    assert "≠" in next(line for line in out.splitlines() if line.startswith("forums_question "))


@pytest.mark.django_db
def test_a_missing_or_broken_backup_is_a_clear_error(tools, tmp_path):
    with pytest.raises(CommandError, match="No backup at"):
        drill("--from-dump", str(tmp_path / "nothing.dump"))
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"not a backup at all" * 100)
    with pytest.raises(CommandError, match="pg_restore failed|not a usable SQLite file"):
        drill("--from-dump", str(broken))
    with pytest.raises(CommandError, match="not both"):
        drill("--from-dump", str(broken), "--keep-dump", str(tmp_path / "x"))
