"""Web, CSV export and report pipeline benchmark (issue 13), on loopback, in one run.

    .venv/bin/python benchmarks/web.py                         # all three parts, 10 s per path
    .venv/bin/python benchmarks/web.py --seconds 3 --rows 10000,100000 --skip-pipeline
    .venv/bin/python benchmarks/web.py --skip-csv --skip-pipeline --connections 32
    .venv/bin/python benchmarks/web.py --skip-csv --skip-pipeline --redis   # cache in Redis, as deployed
    PAGE_CACHE_ENABLED=false .venv/bin/python benchmarks/web.py --skip-csv --skip-pipeline   # pages uncached

1. Web. A bare Django project (benchmarks/bare/hello.py: one view answering "hello", no apps,
   no middleware, DEBUG off) and the portal, each under the same gunicorn command line (2 sync
   workers on 127.0.0.1). Each public path is driven for --seconds at --connections connections
   after a warm-up: req/s, p50/p99 latency, responses >= 400 and the share of the bare view's
   req/s. The bare view is measured between every two paths, and a path's share is of the mean
   of the bare runs either side of it. The portal runs as deployed with DEBUG off on a temporary
   SQLite database: migrate, load_memphis, the July 2024 report computed by services.execute_run
   as a worker does and published, 40 forum questions with 4 replies each, collectstatic into a
   temporary STATIC_ROOT, the file cache in that folder (Redis db 13 with --redis), and the
   anonymous API throttle raised to 1000000/hour so that the API list measures the view, not the
   429. The load generator is wrk when installed (apt-get install wrk), else a Python driver that
   competes with the server for the same cores (the output says which).
2. CSV export (needs PostgreSQL on 127.0.0.1:5432, user postgres; skipped with a message if not
   reachable). In a scratch database webbench_<pid>: published runs of 10 k and 1 M hourly points
   (--rows), then, each in a subprocess of its own so peaks do not mix, the portal's export
   GET /api/v1/series-points/?version=V&format=csv through the WSGI application, and PostgreSQL's
   COPY (the same rows and columns) TO STDOUT: rows/s, the ratio, and the peak RSS growth at each
   size (flat: the largest within 16 MiB of the smallest).
3. Report pipeline: a month (2024-07) and a year (2024) of Memphis with the default 1,000
   samples, computed as the Celery task does (services.execute_run: engine, charts, downloads
   with the PDF, saving in one transaction) and published, wall and CPU seconds per stage; on the
   scratch PostgreSQL database, or a temporary SQLite one without PostgreSQL.

Targets (issue 13; reported, never the exit status): cached public pages (home, report list,
report version, feed) >= 70 % of the bare view's req/s, /forum/ >= 30 %, p99 < 100 ms at 16
connections, CSV export >= 30 % of COPY with flat memory, a year's pipeline < 10 s.

Exit status: 0 when every measurement was taken (whatever the targets say), 1 when one could not
be (printed in its table), 2 when the set-up failed. Servers are stopped by process group and the
temporary folder and scratch database removed always, Ctrl-C and SIGTERM included.
"""

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PG_URL = "postgres://postgres@127.0.0.1:5432"
# --redis: the web part's cache, throttle and broker in Redis db 13 (flushed before and after),
# as deployed; load.py has db 12.
REDIS_URL = "redis://127.0.0.1:6379/13"
MIB = 2**20

sys.path.insert(0, str(Path(__file__).resolve().parent))
import processes  # noqa: E402
from processes import free_port, log  # noqa: E402
API_ANON_RATE = "1000000/hour"
FLAT_MIB = 16  # peak growth at the largest size within this of the smallest's counts as flat
# Issue 13's targets.
CACHED_SHARE, FORUM_SHARE, P99_MS, CSV_SHARE, YEAR_SECONDS = 0.70, 0.30, 100.0, 0.30, 10.0

# wrk prints exact figures from its own Lua hook (microseconds, counts); no response() hook,
# which would hand every body to Lua and cost the client CPU the server needs.
WRK_SCRIPT = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class SetupFailed(Exception):
    """A step before any measurement failed; the message says which and why."""


# --- Processes, databases, clean-up -------------------------------------------------------------


class Bench(processes.Servers):
    """Temporary folder, servers and scratch database of one run; ``close()`` removes them all."""

    def __init__(self, args):
        super().__init__(Path(tempfile.mkdtemp(prefix="portal-web-")))
        self.args = args
        self.db_name = f"webbench_{os.getpid()}"
        self.db_created = False
        self.redis_used = False

    def portal_env(self, name, database_url=""):
        """The environment of a portal deployed with DEBUG off, its state under tmp/<name>."""
        root = self.tmp / name
        env = dict(os.environ)
        for key in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "STATIC_MANIFEST"):
            env.pop(key, None)
        env.update({
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "HTTPS": "false",  # plain HTTP on loopback: no redirect, no secure-only cookies
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_MANIFEST": "true",  # loopback-only hosts would read as a laptop (files in place)
            "SITE_URL": "http://127.0.0.1",
            "PORTAL_VAR_DIR": str(root / "var"),
            "MEDIA_ROOT": str(root / "media"),
            "STATIC_ROOT": str(root / "static"),
            "API_ANON_RATE": API_ANON_RATE,
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PYTHONUNBUFFERED": "1",
        })
        if database_url:
            env["DATABASE_URL"] = database_url
        return env

    def run(self, argv, env, what, timeout=1800):
        """Run a set-up step; its output, or SetupFailed with the end of it."""
        result = subprocess.run(argv, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            raise SetupFailed(f"{what} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        return result.stdout

    def manage(self, env, *argv):
        return self.run([PYTHON, "manage.py", *argv], env, f"manage.py {' '.join(argv)}")

    def db_step(self, env, *argv, what=None):
        """One benchmarks/web_db.py command; the JSON object it prints last."""
        out = self.run([PYTHON, "benchmarks/web_db.py", *argv], env, what or f"web_db.py {' '.join(argv)}")
        return json.loads(out.strip().splitlines()[-1])

    def flush_redis(self):
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
        self.redis_used = True

    def admin_sql(self, sql):
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql)

    def create_database(self):
        """The scratch PostgreSQL database's URL, or "" when PostgreSQL is not reachable."""
        try:
            self.admin_sql(f'CREATE DATABASE "{self.db_name}" TEMPLATE template0 ENCODING \'UTF8\'')
        except Exception as exc:  # noqa: BLE001 - not installed, not running, refused: all mean "skip"
            log(f"PostgreSQL at 127.0.0.1:5432 is not reachable ({type(exc).__name__}: {str(exc).strip()[:200]})")
            return ""
        self.db_created = True
        log(f"created database {self.db_name}")
        return f"{PG_URL}/{self.db_name}"

    def start_gunicorn(self, name, app, env, chdir=None):
        """Start gunicorn as every server of this benchmark is started; its base URL once it answers."""
        port = free_port()
        argv = [str(BIN / "gunicorn"), app, *gunicorn_options(port)]
        if chdir:
            argv += ["--chdir", str(chdir)]
        self.launch(name, argv, env)
        base = f"http://127.0.0.1:{port}"

        def fail(message):
            raise SetupFailed(message)

        processes.wait_until_answers(self.processes[name], base + "/", f"gunicorn ({name})", self.tmp / f"{name}.log", fail)
        return base

    def close(self):
        self.stop_all()
        if self.db_created:
            try:
                self.admin_sql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
                self.db_created = False
                log(f"dropped database {self.db_name}")
            except Exception as exc:  # noqa: BLE001
                log(f"could not drop {self.db_name}: {exc}")
        if self.redis_used:
            try:
                self.flush_redis()
                log("flushed Redis db 13")
            except Exception as exc:  # noqa: BLE001
                log(f"could not flush Redis db 13: {exc}")
        if self.args.keep_logs:
            log(f"logs kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def gunicorn_options(port):
    """The one gunicorn command line of the bare view and the portal (issue 13's baseline)."""
    return ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync",
            "--timeout", "30", "--backlog", "2048", "--log-level", "warning"]


# --- Load generators ---------------------------------------------------------------------------------


def probe(url):
    """One GET before the load: (status, bytes, Cache-Control), so a 404 or a redirect shows by name."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, len(response.read()), response.headers.get("Cache-Control", "")
    except urllib.error.HTTPError as exc:
        return exc.code, len(exc.read()), exc.headers.get("Cache-Control", "")
    except OSError as exc:
        return f"error: {exc}", 0, ""


def run_wrk(url, seconds, connections, tmp):
    """wrk's figures for ``url``: requests, req/s, p50/p99 ms, responses >= 400, socket errors."""
    script = tmp / "report.lua"
    script.write_text(WRK_SCRIPT)
    threads = max(1, min(2, connections))
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
            "-s", str(script), url]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("WRK ")), None)
    if result.returncode or line is None:
        raise RuntimeError(f"wrk failed: {result.stdout[-1000:]}{result.stderr[-1000:]}")
    n, duration_us, p50, p99, connect, read, write, status, timeout = (int(x) for x in line.split()[1:])
    return {"requests": n, "rps": n / (duration_us / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000,
            "errors_4xx_5xx": status, "socket_errors": connect + read + write + timeout, "statuses": {}}


async def _one_connection(host, port, path, deadline, latencies, statuses, counts):
    """Requests one after another on one connection, reconnecting when the server closes it
    (gunicorn's sync workers close after every response)."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: identity\r\n\r\n".encode()
    reader = writer = None
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
            if "content-length" in headers:
                await reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            else:
                await reader.read()  # until the server closes
                headers["connection"] = "close"
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            if headers.get("connection", "").lower() == "close":
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            counts["socket_errors"] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _drive(host, port, path, seconds, connections):
    latencies, statuses, counts = [], {}, {"socket_errors": 0}
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(
        _one_connection(host, port, path, deadline, latencies, statuses, counts) for _ in range(connections)
    ))
    return latencies, statuses, counts["socket_errors"], time.perf_counter() - started


def run_python(url, seconds, connections, tmp):
    """The fallback driver: asyncio sockets, ``connections`` at a time for ``seconds``."""
    match = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    latencies, statuses, socket_errors, elapsed = asyncio.run(_drive(host, port, path, seconds, connections))
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000 if latencies else float("nan")

    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50_ms": pct(50), "p99_ms": pct(99),
            "errors_4xx_5xx": sum(c for s, c in statuses.items() if s >= 400), "socket_errors": socket_errors,
            "statuses": statuses}


# --- Part 1: web -------------------------------------------------------------------------------------


def measure(name, base, path, args, drive, tmp):
    url = base + path
    status, size, cache_control = probe(url)
    drive(url, args.warmup, args.connections, tmp)
    figures = drive(url, args.seconds, args.connections, tmp)
    figures.update({"name": name, "path": path, "probe_status": status, "bytes": size, "cache_control": cache_control})
    log(f"{name:<28} {figures['rps']:>8.1f} req/s  p99 {figures['p99_ms']:.1f} ms  (probe {status}, {size} B)")
    return figures


def portal_paths(site):
    """(name, path, share target or None) of every public path the web part drives."""
    return [
        ("home", "/", CACHED_SHARE),
        ("report list", "/reports/", CACHED_SHARE),
        ("report, latest", site["latest_url"], CACHED_SHARE),
        ("report version v1", site["version_url"], CACHED_SHARE),
        ("feed", "/feeds/reports.atom", CACHED_SHARE),
        ("forum", "/forum/", FORUM_SHARE),
        ("API report list", "/api/v1/reports/", None),
        ("static file", site.get("stylesheet_url") or "/static/site.css", None),
        ("chart PNG", site["chart_url"] or "/reports/charts/0/none.png", None),
    ]


def web_part(bench, args, drive):
    env = bench.portal_env("web")
    if args.redis:
        try:
            bench.flush_redis()
        except Exception as exc:  # noqa: BLE001
            raise SetupFailed(f"Redis at {REDIS_URL} is not reachable: {exc}") from None
        env["REDIS_URL"] = REDIS_URL
    log("web: migrating a temporary SQLite database")
    bench.manage(env, "migrate", "--noinput")
    static = static_settings(bench, env)
    if static["honours_static_root"]:
        bench.manage(env, "collectstatic", "--noinput")
    log(f"web: static files: {static['note']}")
    log("web: Memphis, the July 2024 report (1,000 samples, in-process execute_run) and a forum")
    site = bench.db_step(env, "site", what="seeding the site")
    bare_env = dict(env, SECRET_KEY=secrets.token_urlsafe(50))
    bare_env.pop("DJANGO_SETTINGS_MODULE")

    # Both servers stay up (an idle one costs no CPU) and the bare view is measured between every
    # two portal paths: each path's share is of the mean of the bare runs either side of it, so a
    # neighbour's test suite that starts or stops mid-run moves both figures alike.
    bare = bench.start_gunicorn("bare", "wsgi:application", bare_env, chdir=BASE_DIR / "benchmarks" / "bare")
    portal = bench.start_gunicorn("portal", "portal.wsgi:application", env)
    site["stylesheet_url"] = stylesheet(portal)
    bare_runs = [measure("bare hello /", bare, "/", args, drive, bench.tmp)]
    rows = []
    for name, path, _ in portal_paths(site):
        try:
            row = measure(name, portal, path, args, drive, bench.tmp)
        except Exception as exc:  # noqa: BLE001 - one path's failure is a row, not the end of the run
            row = {"name": name, "path": path, "failed": str(exc)}
        bare_runs.append(measure("bare hello /", bare, "/", args, drive, bench.tmp))
        row["bare_rps"] = (bare_runs[-2]["rps"] + bare_runs[-1]["rps"]) / 2
        rows.append(row)
    bench.stop("portal")
    bench.stop("bare")
    return {"rows": rows, "bare_runs": bare_runs, "site": site, "static": static,
            "targets": {n: t for n, _, t in portal_paths(site)}}


def stylesheet(base):
    """The stylesheet the home page links to (a hashed name once the manifest storage is on)."""
    try:
        with urllib.request.urlopen(base + "/", timeout=30) as response:
            html = response.read().decode("utf-8", "replace")
    except OSError:
        return ""
    match = re.search(r'<link[^>]+href="(/static/[^"]+\.css)"', html)
    return match.group(1) if match else ""


def static_settings(bench, env):
    """What the portal's settings make of the environment: STATIC_ROOT (read from it only since the
    WhiteNoise work), WhiteNoise, the manifest storage and the page cache."""
    code = ("from django.conf import settings; import json; print(json.dumps({'root': str(settings.STATIC_ROOT), "
            "'whitenoise': any('whitenoise' in m for m in settings.MIDDLEWARE), "
            "'manifest': getattr(settings, 'STATIC_MANIFEST', None), "
            "'page_cache': getattr(settings, 'PAGE_CACHE_ENABLED', None)}))")
    found = json.loads(bench.manage(env, "shell", "-c", code).strip().splitlines()[-1])
    honoured = Path(found["root"]) == Path(env["STATIC_ROOT"])
    if honoured:
        note = (f"collectstatic into a temporary STATIC_ROOT; WhiteNoise {'on' if found['whitenoise'] else 'off'}, "
                f"STATIC_MANIFEST {found['manifest']}")
    else:
        note = "the settings do not read STATIC_ROOT from the environment: no collectstatic (its root is in the tree)"
    page_cache = {True: "on", False: "off (PAGE_CACHE_ENABLED=false)", None: "not in this version"}[found["page_cache"]]
    return {"honours_static_root": honoured, "note": note, "page_cache_note": page_cache, **found}


def print_web(web, args, generator):
    rows, bare_runs = web["rows"], web["bare_runs"]
    by_rps = sorted(bare_runs, key=lambda r: r["rps"])
    median = by_rps[len(by_rps) // 2]
    print(f"\n1. Web: gunicorn 2 sync workers on 127.0.0.1, {generator}, {args.connections} connections, "
          f"{args.seconds} s per path after {args.warmup} s warm-up; DEBUG off, SQLite, "
          f"{'Redis db 13 as cache' if args.redis else 'file cache'}; API_ANON_RATE={API_ANON_RATE}")
    site = web["site"]
    print(f"   page cache {web['static']['page_cache_note']}; static: {web['static']['note']}")
    print(f"   forum: {site['questions']} questions, {site['replies']} replies")
    print(f"{'path':<20} {'URL':<44} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'>=400':>6} {'sock':>5} "
          f"{'status':>6} {'bare':>7} {'share':>7}  targets")
    print(f"{'bare hello (median)':<20} {'/':<44} {median['rps']:>8.1f} {median['p50_ms']:>7.1f} "
          f"{median['p99_ms']:>7.1f} {median['errors_4xx_5xx']:>6} {median['socket_errors']:>5} "
          f"{median['probe_status']!s:>6}")
    missed = []
    for r in rows:
        if "failed" in r:
            print(f"{r['name']:<20} {r['path']:<44} not measured: {r['failed'][:200]}")
            missed.append(f"{r['name']}: not measured")
            continue
        share = r["rps"] / r["bare_rps"]
        target = web["targets"].get(r["name"])
        verdicts = []
        if target is not None:
            verdicts.append(f"share >= {target:.0%} {'met' if share >= target else 'MISSED'}")
        verdicts.append(f"p99 < {P99_MS:.0f} ms {'met' if r['p99_ms'] < P99_MS else 'MISSED'}")
        if r["errors_4xx_5xx"] or r["socket_errors"] or r["probe_status"] != 200:
            verdicts.append("not all 200")
        missed += [f"{r['name']}: {v}" for v in verdicts if "MISSED" in v or "not all" in v]
        statuses = " ".join(f"{s}:{c}" for s, c in sorted(r["statuses"].items()))
        print(f"{r['name']:<20} {r['path']:<44} {r['rps']:>8.1f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
              f"{r['errors_4xx_5xx']:>6} {r['socket_errors']:>5} {r['probe_status']!s:>6} {r['bare_rps']:>7.0f} "
              f"{share:>7.1%}  {'; '.join(verdicts)}{'  ' + statuses if statuses else ''}")
    print(f"   bare view: {len(bare_runs)} runs, one between every two paths, "
          f"{by_rps[0]['rps']:.0f}–{by_rps[-1]['rps']:.0f} req/s; 'bare' is the mean of the runs either side "
          "of the path, and 'share' the path's req/s over it")
    print("   'status' is one probe GET before the load; '>=400' the load generator's count of responses >= 400 "
          "under load; 'sock' its connection errors and timeouts")
    return {"bare_median_rps": median["rps"], "missed": missed}


# --- Part 2: CSV export ------------------------------------------------------------------------------


def csv_part(bench, args, env):
    cases = []
    for rows in args.rows:
        log(f"csv: a published run of {rows:,} hourly points")
        made = bench.db_step(env, "series", "--rows", str(rows), what=f"making {rows} series rows")
        case = {"rows": made["rows"], "insert_seconds": made["insert_seconds"], "columns": len(made["columns"])}
        for kind in ("export", "copy"):
            try:
                version = str(made["version_id"])
                case[kind] = bench.db_step(env, kind, "--version", version, what=f"{kind} of {rows} rows")
            except SetupFailed as exc:
                case[kind] = {"failed": str(exc)}
            else:
                log(f"csv: {kind} of {rows:,} rows in {case[kind]['wall']:.2f} s, "
                    f"peak growth {case[kind]['peak_bytes'] / MIB:.1f} MiB")
        cases.append(case)
    return cases


def print_csv(cases):
    print("\n2. CSV export (PostgreSQL, scratch database): the portal's "
          "GET /api/v1/series-points/?version=V&format=csv "
          "through the WSGI app vs COPY (same rows, same columns) TO STDOUT; each in its own process")
    print(f"{'rows':>10} {'cols':>5} {'export rows/s':>14} {'COPY rows/s':>12} {'ratio':>7} {'export MiB':>11} "
          f"{'COPY MiB':>9}  {'export status, lines':<26} target (>= {CSV_SHARE:.0%} of COPY)")
    missed, failed = [], False
    for c in cases:
        e, k = c["export"], c["copy"]
        if "failed" in e or "failed" in k:
            print(f"{c['rows']:>10} not measured: {(e.get('failed') or k.get('failed'))[:300]}")
            failed = True
            continue
        e_rps, k_rps = c["rows"] / e["wall"], c["rows"] / k["wall"]
        ratio = e_rps / k_rps
        ok = e["status"].startswith("200") and e["lines"] == c["rows"] + 1
        verdict = "met" if ratio >= CSV_SHARE else "MISSED"
        if verdict != "met":
            missed.append(f"CSV export at {c['rows']:,} rows: {ratio:.0%} of COPY")
        print(f"{c['rows']:>10,} {c['columns']:>5} {e_rps:>14,.0f} {k_rps:>12,.0f} {ratio:>7.1%} "
              f"{e['peak_bytes'] / MIB:>11.1f} {k['peak_bytes'] / MIB:>9.1f}  "
              f"{e['status'][:3] + ', ' + str(e['lines']) + (' ok' if ok else ' WRONG'):<26} {verdict}"
              f"  (export CPU {e['cpu']:.1f} s of {e['wall']:.1f} s)")
    measured = [c for c in cases if "failed" not in c["export"]]
    if len(measured) >= 2:
        small, large = measured[0], measured[-1]
        growth = (large["export"]["peak_bytes"] - small["export"]["peak_bytes"]) / MIB
        flat = growth <= FLAT_MIB
        print(f"   memory: export peak growth {small['export']['peak_bytes'] / MIB:.1f} MiB at {small['rows']:,} rows, "
              f"{large['export']['peak_bytes'] / MIB:.1f} MiB at {large['rows']:,} rows: "
              f"{'flat (met)' if flat else 'NOT flat (MISSED)'} (flat: within {FLAT_MIB} MiB)")
        if not flat:
            missed.append(f"CSV export memory grows by {growth:.0f} MiB from {small['rows']:,} "
                          f"to {large['rows']:,} rows")
    print("   MiB: growth of the process's peak RSS (VmHWM, reset before the request) over its RSS before it")
    return {"missed": missed, "failed": failed}


# --- Part 3: report pipeline ---------------------------------------------------------------------------


def pipeline_part(bench, env):
    results = []
    for period in ("2024-07", "2024"):
        log(f"pipeline: {period}, 1,000 samples")
        results.append(bench.db_step(env, "pipeline", "--period", period, what=f"the {period} pipeline"))
        log(f"pipeline: {period} worker run {results[-1]['worker'][0]:.1f} s")
    return results


def print_pipeline(results, database):
    print(f"\n3. Report pipeline of Memphis, {database}, as the Celery task runs it (services.execute_run), "
          "in one process")
    stages = {"engine": "engine", "charts": "charts", "downloads (PDF included)": "downloads", "pdf": "of which PDF",
              "save to database": "save to DB"}
    print(f"{'period':<8} {'steps':>6} {'samples':>7} {'request':>9} " + " ".join(f"{s:>15}" for s in stages.values())
          + f" {'worker total':>13} {'publish':>8}  target (year < {YEAR_SECONDS:.0f} s)")
    missed = []
    for r in results:
        cells = [f"{r['stages'].get(s, [float('nan')] * 2)[0]:>6.2f}/{r['stages'].get(s, [float('nan')] * 2)[1]:<8.2f}"
                 for s in stages]
        wall = r["worker"][0]
        verdict = ""
        if r["period"] == "2024":
            verdict = "met" if wall < YEAR_SECONDS else "MISSED"
            if verdict == "MISSED":
                missed.append(f"year pipeline {wall:.1f} s")
        print(f"{r['period']:<8} {r['steps']:>6} {r['samples']:>7} {r['request'][0]:>9.2f} " + " ".join(cells)
              + f" {wall:>6.1f}/{r['worker'][1]:<6.1f} {r['publish'][0]:>8.2f}  {verdict}")
    print("   cells are wall/CPU seconds; 'request' is request_report (snapshot, validation) as the web process "
          "does it; "
          "'worker total' is execute_run whole (the stages plus stage updates and the lease)")
    return {"missed": missed}


# --- Main ---------------------------------------------------------------------------------------------


def rows_list(text):
    try:
        rows = sorted({int(x.replace("_", "")) for x in text.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--rows takes numbers separated by commas, not {text!r}") from None
    if not rows or rows[0] < 1:
        raise argparse.ArgumentTypeError("--rows needs at least one positive number")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="seconds of load per path (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load per path before it is measured")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--rows", type=rows_list, default=[10_000, 1_000_000], help="series rows, e.g. 10000,1000000")
    parser.add_argument("--redis", action="store_true", help="web part: Redis db 13 as cache and broker, as deployed")
    parser.add_argument("--python-driver", action="store_true",
                        help="use the Python load driver even if wrk is installed")
    parser.add_argument("--skip-web", action="store_true")
    parser.add_argument("--skip-csv", action="store_true")
    parser.add_argument("--skip-pipeline", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temporary folder (server logs)")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, _interrupt)
    if shutil.which("wrk") and not args.python_driver:
        version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1]
        drive, generator = run_wrk, f"wrk ({version})"
    else:
        drive = run_python
        generator = ("the built-in Python driver (asyncio; it shares the 2 cores with the server, so req/s is "
                     "lower than wrk would measure; install wrk for the recorded figures)")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=BASE_DIR,
                           capture_output=True, text=True).stdout.strip()
    print(f"web benchmark (issue 13): {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}"
          f"{' with uncommitted changes in the tree' if dirty else ''}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; load generator: {generator}", flush=True)

    bench = Bench(args)
    figures = {"commit": commit, "dirty": bool(dirty), "generator": generator, "command": " ".join(sys.argv)}
    outcome = {}
    try:
        try:
            if not args.skip_web:
                figures["web"] = web_part(bench, args, drive)
                outcome["web"] = print_web(figures["web"], args, generator)
            pg_url = bench.create_database() if not (args.skip_csv and args.skip_pipeline) else ""
            if not (args.skip_csv and args.skip_pipeline):
                env = bench.portal_env("db", pg_url)
                database = "PostgreSQL (scratch database)" if pg_url else "SQLite (temporary; PostgreSQL not reachable)"
                log(f"pipeline/csv: migrating {database}")
                bench.manage(env, "migrate", "--noinput")
                bench.manage(env, "load_memphis")
            if not args.skip_pipeline:
                figures["pipeline"] = pipeline_part(bench, env)
                outcome["pipeline"] = print_pipeline(figures["pipeline"], database)
            if args.skip_csv:
                pass
            elif not pg_url:
                print("\n2. CSV export: SKIPPED, PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres, trust)")
            else:
                figures["csv"] = csv_part(bench, args, env)
                outcome["csv"] = print_csv(figures["csv"])
        except SetupFailed as exc:
            log(f"set-up failed: {exc}")
            for name in bench.processes:
                print(bench.tail(name))
            return 2
        load_after = os.getloadavg()[0]
        cpu = ", ".join(f"{name} {s:.0f} s" for name, s in bench.cpu_seconds.items())
        print(f"\nserver CPU: {cpu or 'none'}; load average at the end {load_after:.2f}")
        missed = [m for part in outcome.values() for m in part.get("missed", [])]
        print("targets missed: " + ("; ".join(missed) if missed else "none"))
        if args.json:
            args.json.write_text(json.dumps({**figures, "outcome": outcome}, indent=2, default=str))
        failed = any(part.get("failed") for part in outcome.values()) or any(
            "failed" in r for r in figures.get("web", {}).get("rows", [])
        )
        return 1 if failed else 0
    except KeyboardInterrupt:
        log("interrupted")
        return 2
    finally:
        bench.close()


if __name__ == "__main__":
    sys.exit(main())
