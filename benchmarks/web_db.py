"""Database side of benchmarks/web.py: seed the site, time the report pipeline, the CSV export and COPY.

Run by web.py in a subprocess with the environment of the benchmark's own database, one
subprocess per measurement so that one case's peak memory never counts in another's:

    python benchmarks/web_db.py site                       # Memphis, the July 2024 report, a forum
    python benchmarks/web_db.py pipeline --period 2024     # a worker's run, timed stage by stage
    python benchmarks/web_db.py series --rows 1000000      # a published run with that many points
    python benchmarks/web_db.py export --version 3         # GET /api/v1/series-points/?…&format=csv
    python benchmarks/web_db.py copy --version 3           # COPY (the same rows) TO STDOUT

Each prints one JSON object on its last line of output.
"""

import argparse
import io
import json
import os
import resource
import secrets
import sys
import time
from pathlib import Path
from wsgiref.util import setup_testing_defaults

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from impact import charts, downloads, engine, figures, services  # noqa: E402
from impact.models import Facility, ReportChart, ReportRun, ReportVersion, SeriesPoint  # noqa: E402

FACILITY, PERIOD = "memphis-supercluster", "2024-07"
# Published runs are corrections after the first version; publish_run asks for a note.
CHANGELOG = "Benchmark run (benchmarks/web.py): synthetic series rows."
ACKNOWLEDGEMENT = "Benchmark run (benchmarks/web.py); not a public report."


def memphis():
    facility = Facility.objects.filter(slug=FACILITY).first()
    if facility is None:
        facility, _ = services.load_seed_facility(user=None)
    return facility


def compute(period, samples=None):
    """Request and compute a run the way a worker does (services.execute_run), in this process."""
    run = services.request_report(memphis(), period, samples=samples)
    if not services.execute_run(run.pk):
        raise SystemExit(f"run {run.pk} was not pending")
    run.refresh_from_db()
    if run.status != ReportRun.Status.SUCCEEDED:
        raise SystemExit(f"run {run.pk} failed: {run.error[:2000]}")
    return run


def publish(run):
    """Publish as the system; a correction's note and an unserved-demand acknowledgement are given."""
    version, _ = services.publish_run(run, user=None, changelog=CHANGELOG, acknowledgement=ACKNOWLEDGEMENT)
    return version


# --- site: what the web part serves ----------------------------------------------------------------


def site(n_questions, replies_per_question):
    """Memphis, the July 2024 report computed and published, and a forum with replies."""
    from load_seed import PASSWORD, seed

    from portal.forums import services as forum
    from portal.forums.models import Question

    memphis()
    run = compute(PERIOD)
    version, _ = services.publish_run(run, user=None, acknowledgement=ACKNOWLEDGEMENT)
    # load_seed makes trusted residents, a staff answerer and questions (a third answered);
    # replies make the list's counts and the question pages what a read forum looks like.
    seeded = seed(8, secrets.token_hex(3), 0.0, n_questions)
    from django.contrib.auth import get_user_model

    residents = list(get_user_model().objects.filter(username__in=seeded["usernames"]))
    replies = 0
    for i, question in enumerate(Question.objects.filter(pk__in=seeded["question_ids"])):
        for j in range(replies_per_question):
            author = residents[(i + j + 1) % len(residents)]
            body = f"Reply {j + 1}: I saw the same on my street; thank you for asking."
            forum.reply_to_question(question, author, body)
            replies += 1
    chart = ReportChart.objects.filter(run=run).order_by("order").first()
    return {
        "version_url": version.get_absolute_url(),
        "latest_url": f"/reports/{FACILITY}/{PERIOD}/",
        "chart_url": f"/reports/charts/{run.pk}/{chart.key}.png" if chart else "",
        "version_id": version.pk,
        "questions": len(seeded["question_ids"]),
        "replies": replies,
        "password": PASSWORD,
    }


# --- pipeline: a worker's run, stage by stage --------------------------------------------------------


class Stages:
    """Wall and CPU seconds spent in each wrapped function (CPU: the whole process, threads included)."""

    def __init__(self):
        self.seconds = {}

    def wrap(self, owner, name, label):
        inner = getattr(owner, name)

        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                w, c = self.seconds.get(label, (0.0, 0.0))
                self.seconds[label] = (w + time.perf_counter() - wall, c + time.process_time() - cpu)

        setattr(owner, name, timed)


def pipeline(period, samples):
    """Time request_report, then execute_run as the Celery task calls it, then publish_run.

    The stages are timed by wrapping, in this process only, the functions execute_run calls
    (engine.compute, charts.report_charts, downloads.build_downloads and its report_pdf,
    services._save_results); the app's code is unchanged.
    """
    facility = memphis()
    stages = Stages()
    stages.wrap(engine, "compute", "engine")
    stages.wrap(charts, "report_charts", "charts")
    stages.wrap(downloads, "report_pdf", "pdf")
    stages.wrap(downloads, "build_downloads", "downloads (PDF included)")
    stages.wrap(services, "_save_results", "save to database")
    wall, cpu = time.perf_counter(), time.process_time()
    run = services.request_report(facility, period, samples=samples)
    request = (time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    ok = services.execute_run(run.pk)
    worker = (time.perf_counter() - wall, time.process_time() - cpu)
    run.refresh_from_db()
    if not ok or run.status != ReportRun.Status.SUCCEEDED:
        raise SystemExit(f"run {run.pk} did not succeed: {run.status} {run.error[:2000]}")
    wall, cpu = time.perf_counter(), time.process_time()
    publish(run)
    published = (time.perf_counter() - wall, time.process_time() - cpu)
    return {
        "period": period, "samples": run.monte_carlo_samples, "steps": run.points.count(),
        "charts": run.charts.count(), "downloads": run.artifacts.count(),
        "request": request, "stages": stages.seconds, "worker": worker, "publish": published,
    }


# --- series: a published run with N hourly points ----------------------------------------------------


def series(rows):
    """A published run whose series has ``rows`` hourly points, copied cyclically from a real run.

    The values are a computed run's own (every column, real magnitudes), so each exported line is
    as long as a real one; the timestamps run on hour by hour from 2000-01-01 UTC.
    """
    source = ReportRun.objects.filter(status=ReportRun.Status.SUCCEEDED, points__isnull=False).order_by("pk").first()
    if source is None:
        source = compute(PERIOD, samples=0)  # central values only: the series is what is needed
    n_source = source.points.count()
    run = services.request_report(memphis(), PERIOD, samples=0)
    now = timezone.now()
    # Stands in for a worker's run: the benchmark needs its rows, not another computation.
    ReportRun.objects.filter(pk=run.pk).update(
        status=ReportRun.Status.SUCCEEDED, stage=ReportRun.Stage.DONE, started_at=now, finished_at=now,
        series_columns=source.series_columns, summary=source.summary,
    )
    table = SeriesPoint._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (run_id, "timestamp", "values") '
            "SELECT %s, TIMESTAMPTZ '2000-01-01 00:00:00+00' + g * INTERVAL '1 hour', p.\"values\" "
            "FROM generate_series(0, %s - 1) AS g JOIN ("
            f'  SELECT row_number() OVER (ORDER BY "timestamp") - 1 AS i, "values" FROM {table} WHERE run_id = %s'
            ") AS p ON p.i = g %% %s",
            [run.pk, rows, source.pk, n_source],
        )
        cursor.execute(f"ANALYZE {table}")
    inserted = time.perf_counter() - started
    run.refresh_from_db()
    version = publish(run)
    return {"rows": run.points.count(), "run_id": run.pk, "version_id": version.pk, "insert_seconds": inserted,
            "columns": figures.public_series_columns(run.series_columns)}


# --- export and copy: rows/s and peak memory -----------------------------------------------------------


def rss_bytes(field):
    """VmRSS or VmHWM (the peak since the last reset) of this process, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_peak():
    """Make VmHWM start again from the current RSS (Linux ≥ 4.0: clear_refs 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def measured(fn):
    """(result, wall s, CPU s, peak RSS growth in bytes) of ``fn()``."""
    reset = reset_peak()
    before = rss_bytes("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = rss_bytes("VmHWM")
    return result, wall, cpu, max(0, peak - before), reset


def wsgi_get(application, path, query):
    """GET through the portal's WSGI application, the body read as a server would: (status, type, bytes, lines)."""
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": "127.0.0.1",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(),
    }
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    body = application(environ, start_response)
    size = lines = 0
    try:
        for chunk in body:
            size += len(chunk)
            lines += chunk.count(b"\n")
    finally:
        if hasattr(body, "close"):
            body.close()  # request_finished: the connection goes back as after a real request
    return answer["status"], answer["headers"].get("Content-Type", ""), size, lines


def export(version_id):
    """The portal's CSV export of a version's series, through the WSGI app (middleware, view, streaming)."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    version = ReportVersion.objects.select_related("run").get(pk=version_id)
    rows = version.run.points.count()
    path = "/api/v1/series-points/"
    # Warm-up: imports, URL resolution, the database connection; the JSON first page of the same list.
    wsgi_get(application, path, f"version={version_id}")
    (status, ctype, size, lines), wall, cpu, peak, reset = measured(
        lambda: wsgi_get(application, path, f"version={version_id}&format=csv")
    )
    return {"rows": rows, "status": status, "content_type": ctype, "bytes": size, "lines": lines,
            "wall": wall, "cpu": cpu, "peak_bytes": peak, "peak_reset": reset}


def copy(version_id):
    """PostgreSQL's COPY of the same rows and columns, in the same shape (one column per metric)."""
    import psycopg
    from psycopg import sql

    version = ReportVersion.objects.select_related("run").get(pk=version_id)
    run = version.run
    rows = run.points.count()
    columns = figures.public_series_columns(run.series_columns)
    query = sql.SQL(
        "COPY (SELECT to_char(\"timestamp\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS timestamp_utc, "
        "{cols} "
        "FROM {table} WHERE run_id = {run} ORDER BY \"timestamp\") TO STDOUT WITH (FORMAT csv, HEADER)"
    ).format(
        cols=sql.SQL(", ").join(
            sql.SQL("{} ->> {} AS {}").format(sql.Identifier("values"), sql.Literal(c), sql.Identifier(c))
            for c in columns
        ),
        table=sql.Identifier(SeriesPoint._meta.db_table),
        run=sql.Literal(run.pk),
    )
    settings = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        host=settings["HOST"], port=settings["PORT"] or 5432, dbname=settings["NAME"], user=settings["USER"],
        password=settings["PASSWORD"] or None,
    )
    with psycopg.connect(conninfo) as conn:
        conn.execute("SELECT 1")

        def run_copy():
            size = lines = 0
            with conn.cursor() as cursor, cursor.copy(query) as stream:
                for chunk in stream:
                    size += len(chunk)
                    lines += bytes(chunk).count(b"\n")
            return size, lines

        (size, lines), wall, cpu, peak, reset = measured(run_copy)
    return {"rows": rows, "bytes": size, "lines": lines, "wall": wall, "cpu": cpu, "peak_bytes": peak,
            "peak_reset": reset}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("site")
    s.add_argument("--questions", type=int, default=40)
    s.add_argument("--replies", type=int, default=4, help="replies per question")
    p = sub.add_parser("pipeline")
    p.add_argument("--period", required=True)
    p.add_argument("--samples", type=int, default=None, help="Monte Carlo samples (default: the settings', 1,000)")
    r = sub.add_parser("series")
    r.add_argument("--rows", type=int, required=True)
    for name in ("export", "copy"):
        sub.add_parser(name).add_argument("--version", type=int, required=True)
    args = parser.parse_args()
    if args.command == "site":
        result = site(args.questions, args.replies)
    elif args.command == "pipeline":
        result = pipeline(args.period, args.samples)
    elif args.command == "series":
        result = series(args.rows)
    elif args.command == "export":
        result = export(args.version)
    else:
        result = copy(args.version)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
