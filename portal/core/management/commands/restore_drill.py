"""Back up the database, restore the backup into a scratch database, and prove it is whole.

    manage.py restore_drill                      # dump now, restore to a scratch copy, compare, drop it
    manage.py restore_drill --keep-dump FILE     # …and keep the dump (pg_dump custom format / SQLite file)
    manage.py restore_drill --from-dump FILE     # restore last night's backup instead and check it

PostgreSQL: the rows are counted inside one exported snapshot and ``pg_dump --snapshot`` dumps
that same snapshot, so a busy site compares exactly; the dump is restored with ``pg_restore``
into ``restore_drill_<pid>`` on the same server, counted again, and the scratch database dropped.
SQLite: the online backup API copies the file (consistent by itself) and the copy is counted.
A restored backup of an older day (``--from-dump``) cannot match today's counts: it is checked for
every table and for the migrations the code needs, and the counts are shown side by side.

Exit status 0 when the restore is whole; the command fails (status 1) naming each difference.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader


def model_tables():
    """Every table the project's models (and their many-to-many links) keep, sorted."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return sorted(tables | {"django_migrations"})


def count_rows(cursor, tables, quote):
    counts = {}
    for table in tables:
        try:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
        except Exception:  # noqa: BLE001 - a table missing from the copy is the finding, not a crash
            counts[table] = None
    return counts


def applied_migrations(cursor):
    cursor.execute("SELECT app, name FROM django_migrations")
    return set(cursor.fetchall())


class Command(BaseCommand):
    help = "Back up the database, restore it into a scratch database and compare every table's rows."

    def add_arguments(self, parser):
        parser.add_argument("--keep-dump", metavar="FILE", help="keep the backup made for the drill at FILE")
        parser.add_argument("--from-dump", metavar="FILE", help="restore this backup instead of making one now")

    def handle(self, *args, **opts):
        if opts["keep_dump"] and opts["from_dump"]:
            raise CommandError("Give --keep-dump or --from-dump, not both.")
        if opts["from_dump"] and not Path(opts["from_dump"]).is_file():
            raise CommandError(f"No backup at {opts['from_dump']}.")
        began = time.monotonic()
        drill = self._postgres if connection.vendor == "postgresql" else self._sqlite
        if connection.vendor not in ("postgresql", "sqlite"):
            raise CommandError(f"The drill knows PostgreSQL and SQLite, not {connection.vendor}.")
        live, restored, dump_size = drill(opts)
        problems = self._compare(live, restored, exact=not opts["from_dump"])
        self._print(live, restored)
        self.stdout.write(f"Backup {dump_size / 1e6:.1f} MB; drill took {time.monotonic() - began:.1f} s.")
        if problems:
            raise CommandError("The restore is not whole:\n  " + "\n  ".join(problems))
        self.stdout.write(self.style.SUCCESS(
            f"Restore drill passed: {len(restored) - 1} tables, {sum(v or 0 for k, v in restored.items() if k != 'django_migrations'):,} rows."))

    # --- PostgreSQL ------------------------------------------------------------------------------

    def _postgres(self, opts):
        import psycopg

        for tool in ("pg_dump", "pg_restore"):
            if not shutil.which(tool):
                raise CommandError(f"{tool} is not on PATH (Debian: apt-get install postgresql-client).")
        db = connection.settings_dict
        conninfo = {"host": db.get("HOST") or "127.0.0.1", "port": str(db.get("PORT") or 5432),
                    "user": db.get("USER") or "", "password": db.get("PASSWORD") or ""}
        env = {**os.environ, "PGHOST": conninfo["host"], "PGPORT": conninfo["port"]}
        if conninfo["user"]:
            env["PGUSER"] = conninfo["user"]
        if conninfo["password"]:
            env["PGPASSWORD"] = conninfo["password"]
        tables = model_tables()
        scratch = f"restore_drill_{os.getpid()}"
        work = Path(tempfile.mkdtemp(prefix="restore-drill-"))
        dump = Path(opts["from_dump"]) if opts["from_dump"] else work / "portal.dump"
        connect = {k: v for k, v in conninfo.items() if v}
        quote = lambda t: '"' + t.replace('"', '""') + '"'  # noqa: E731
        try:
            with psycopg.connect(dbname=db["NAME"], autocommit=True, **connect) as live_conn:
                if opts["from_dump"]:
                    live = count_rows(live_conn.cursor(), tables, quote)
                else:
                    # One snapshot for the counts and the dump: what is counted is what is dumped.
                    live_conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    snapshot = live_conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
                    live = count_rows(live_conn.cursor(), tables, quote)
                    self._run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                               f"--file={dump}", db["NAME"]], env)
                    live_conn.execute("COMMIT")
            with psycopg.connect(dbname="postgres", autocommit=True, **connect) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {quote(scratch)}")
                admin.execute(f"CREATE DATABASE {quote(scratch)}")
            try:
                self._run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={scratch}", str(dump)], env)
                with psycopg.connect(dbname=scratch, **connect) as restored_conn:
                    restored = count_rows(restored_conn.cursor(), tables, quote)
                    self.restored_migrations = applied_migrations(restored_conn.cursor())
            finally:
                with psycopg.connect(dbname="postgres", autocommit=True, **connect) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {quote(scratch)} WITH (FORCE)")
            size = dump.stat().st_size
            if opts["keep_dump"]:
                shutil.copyfile(dump, opts["keep_dump"])
            return live, restored, size
        finally:
            shutil.rmtree(work, ignore_errors=True)

    @staticmethod
    def _run(argv, env):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=3600)
        if done.returncode:
            raise CommandError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()[-1000:]}")

    # --- SQLite ----------------------------------------------------------------------------------

    def _sqlite(self, opts):
        tables = model_tables()
        quote = lambda t: '"' + t.replace('"', '""') + '"'  # noqa: E731
        work = Path(tempfile.mkdtemp(prefix="restore-drill-"))
        try:
            copy = work / "restored.sqlite3"
            connection.ensure_connection()
            if opts["from_dump"]:
                shutil.copyfile(opts["from_dump"], copy)
                with connection.cursor() as cursor:
                    live = count_rows(cursor, tables, quote)
            else:
                # The backup API copies a consistent state while others write; count that copy's
                # source inside one read transaction on the copy itself.
                backup = work / "portal.sqlite3"
                target = sqlite3.connect(backup)
                try:
                    connection.connection.backup(target)
                finally:
                    target.close()
                source = sqlite3.connect(backup)
                try:
                    live = count_rows(source.cursor(), tables, quote)
                finally:
                    source.close()
                # "Restore": the copy a new host would start from, made from the backup file.
                shutil.copyfile(backup, copy)
                if opts["keep_dump"]:
                    shutil.copyfile(backup, opts["keep_dump"])
            restored_db = sqlite3.connect(copy)
            try:
                try:
                    check = restored_db.execute("PRAGMA integrity_check").fetchone()[0]
                except sqlite3.DatabaseError as exc:
                    raise CommandError(f"The backup is not a usable SQLite file: {exc}") from None
                if check != "ok":
                    raise CommandError(f"The restored SQLite file fails its integrity check: {check}")
                restored = count_rows(restored_db.cursor(), tables, quote)
                self.restored_migrations = applied_migrations(restored_db.cursor())
            finally:
                restored_db.close()
            return live, restored, copy.stat().st_size
        finally:
            shutil.rmtree(work, ignore_errors=True)

    # --- Both ------------------------------------------------------------------------------------

    def _compare(self, live, restored, exact):
        problems = [f"{table}: missing from the restore" for table, n in restored.items() if n is None]
        if exact:
            problems += [f"{table}: {live[table]:,} rows live, {restored[table]:,} restored" for table in live
                         if None not in (live[table], restored.get(table)) and live[table] != restored[table]]
        needed = {key for key in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()}
        missing = sorted(needed - getattr(self, "restored_migrations", set()))
        if missing and exact:
            problems.append("migrations missing from the restore: " + ", ".join(f"{a}.{n}" for a, n in missing))
        elif missing:
            self.stdout.write(self.style.WARNING(
                "The backup predates these migrations (run migrate after restoring it): "
                + ", ".join(f"{a}.{n}" for a, n in missing)))
        return problems

    def _print(self, live, restored):
        width = max(len(t) for t in live)
        self.stdout.write(f"{'table':<{width}}  {'live':>10}  {'restored':>10}")
        for table in live:
            r = restored.get(table)
            mark = "" if r == live[table] else "  ≠"
            shown = "missing" if r is None else f"{r:,}"
            shown_live = "missing" if live[table] is None else f"{live[table]:,}"
            self.stdout.write(f"{table:<{width}}  {shown_live:>10}  {shown:>10}{mark}")
