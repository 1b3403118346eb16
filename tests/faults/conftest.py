"""Machinery for the fault tests: a PostgreSQL cluster and a redis-server of their own, and the
portal's pieces (web server, Celery workers, beat) as real processes pointed at them.

Nothing here touches the suite's database or the shared services: the tests stop, kill and
restart only what they started. The portal processes get their configuration from the
environment, as in production; the tests read rows straight from PostgreSQL with psycopg.

In CI (CI=true) a missing postgres or redis-server binary fails the run (need_service). Their
outcome does not depend on the suite's own database, so CI runs them once, in its PostgreSQL
pass: in the SQLite pass of the whole suite they are deselected (see pytest_collection_modifyitems).
Every process's log is kept, and its folder printed, when a test fails or FAULTS_KEEP_LOGS=1.
"""

import glob
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import IN_CI, deselect_folder, need_service

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# Short enough that a killed worker's run is recovered in seconds, long enough for a heartbeat
# (every quarter lease) on a busy 2-core machine. Beat sends impact.sweep_runs every SWEEP_SECONDS.
LEASE_SECONDS = 4
SWEEP_SECONDS = 2
# The site's answer when its database is unreachable (templates/503.html).
OUTAGE_PAGE = "The portal is back in a moment"


def pytest_collection_modifyitems(config, items):
    """In CI's SQLite pass of the whole suite, deselect these tests: they bring their own
    PostgreSQL and Redis, so the PostgreSQL pass already runs them exactly as they would run
    here. Asked for on their own (pytest tests/faults) they always run."""
    if not IN_CI or os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    deselect_folder(config, items, HERE)


# --- Small helpers ----------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, message, every=0.2):
    """Poll ``predicate`` until it returns something true (returned) or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(every)


# Any 32 letters are a valid CSRF secret; the form sends the same value as the cookie.
CSRF = "faultsfaultsfaultsfaultsfaults00"


def fetch(port, method, path, fields=None, session=None, forwarded_for=None, timeout=10):
    """One request to the portal on ``port``: (status, headers, body). Redirects are not followed;
    an answer with any status is returned, a refused or reset connection raises OSError."""
    headers = {"Cookie": f"csrftoken={CSRF}" + (f"; sessionid={session}" if session else "")}
    body = None
    if fields is not None:
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": CSRF}).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def as_owner(args):
    """PostgreSQL refuses to run as root: as root, run its binaries as the postgres OS user."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(re.findall(r"/(\d+)/bin", p)[0]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


# --- Our own servers --------------------------------------------------------------------------------


class Postgres:
    """A throw-away PostgreSQL cluster: trust auth, loopback TCP on a free port, its socket in tmp."""

    def __init__(self, bin_dir, base):
        self.bin = bin_dir
        self.data = base / "pgdata"
        self.socket_dir = base / "pgsock"
        self.log = base / "postgres.log"
        self.port = free_port()
        for folder in (self.data, self.socket_dir):
            folder.mkdir()
            if os.geteuid() == 0:
                shutil.chown(folder, "postgres", "postgres")
        if os.geteuid() == 0:
            self.log.touch()
            shutil.chown(self.log, "postgres", "postgres")
        subprocess.run(
            as_owner([self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
            check=True, capture_output=True, timeout=60,
        )

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self):
        # Durability is not under test: fsync off makes migrations several times faster.
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.socket_dir} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        subprocess.run(as_owner([self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "30",
                                 "start"]), check=True, capture_output=True, timeout=40)

    def stop(self, mode="fast"):
        """pg_ctl stop -m fast: connections are cut, as when a database server restarts."""
        subprocess.run(as_owner([self.bin / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30", "stop"]),
                       check=True, capture_output=True, timeout=40)

    def is_up(self):
        probe = [self.bin / "pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q"]
        return subprocess.run(probe, timeout=10).returncode == 0

    def query(self, sql, params=()):
        """Rows of ``sql`` on a fresh connection (autocommit: each call sees what is committed)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             connect_timeout=5, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()


class Redis:
    """A throw-away redis-server on a loopback port, no persistence: a restart loses everything,
    queued broker messages included, as a real Redis without AOF does."""

    def __init__(self, binary):
        self.binary = binary
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        import redis

        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_for(lambda: _pings(client), 10, "redis-server did not start", every=0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def is_up(self):
        return self.process is not None and self.process.poll() is None


def _pings(client):
    import redis

    try:
        return client.ping()
    except redis.RedisError:
        return False


class SmtpSink:
    """A mail server that accepts every message and remembers its recipients and subject."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 faults ESMTP\r\n")
                recipients, lines, in_data = [], [], False
                for raw in self.rfile:
                    line = raw.decode("utf-8", "replace").rstrip("\r\n")
                    if in_data:
                        if line == ".":
                            sink._keep(recipients, lines)
                            recipients, lines, in_data = [], [], False
                            self.wfile.write(b"250 OK\r\n")
                        else:
                            lines.append(line[1:] if line.startswith("..") else line)
                        continue
                    verb = line[:4].upper()
                    if verb == "DATA":
                        in_data = True
                        self.wfile.write(b"354 go ahead\r\n")
                    elif verb == "RCPT":
                        recipients.append(line.split(":", 1)[1].split()[0].strip("<>"))
                        self.wfile.write(b"250 OK\r\n")
                    elif verb == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:  # EHLO, HELO, MAIL, RSET, NOOP
                        self.wfile.write(b"250 OK\r\n")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _keep(self, recipients, lines):
        subject = next((line[len("Subject: "):] for line in lines if line.startswith("Subject: ")), "")
        with self._lock:
            self.messages.extend((address, subject) for address in recipients)

    def received(self):
        with self._lock:
            return list(self.messages)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# --- The portal's processes ---------------------------------------------------------------------------


class Process:
    """A portal process in its own session (process group), its output in a log file."""

    def __init__(self, name, args, env, log_dir):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "w")
        self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        self.pid = self.popen.pid

    def output(self):
        return self.log_path.read_text(errors="replace")

    def tail(self, chars=3000):
        return f"--- {self.name} (pid {self.pid}) ---\n{self.output()[-chars:]}"

    def alive(self):
        return self.popen.poll() is None

    def children(self):
        try:
            return [int(pid) for pid in Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()]
        except OSError:
            return []

    def wait_for_line(self, pattern, timeout):
        return wait_for(lambda: re.search(pattern, self.output()) or (not self.alive() and self._died(pattern)),
                        timeout, lambda: f"no {pattern!r} from {self.name} within {timeout} s\n{self.tail()}")

    def _died(self, pattern):
        raise AssertionError(f"{self.name} exited ({self.popen.returncode}) before {pattern!r}\n{self.tail()}")

    def kill9(self):
        """kill -9 of the whole process group: the process and every child it forked."""
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def terminate(self):
        if self.alive():
            self._signal_group(signal.SIGTERM)

    def stop(self):
        if self.alive():
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        self._signal_group(signal.SIGKILL)  # children left behind by a parent that exited
        if self.alive():
            self.popen.wait(timeout=10)
        self._log.close()

    def _signal_group(self, sig):
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            pass


class Portal:
    """The portal configured, as in production, from the environment: our PostgreSQL, our Redis
    (cache and broker), DEBUG off, e-mail to the sink, short leases."""

    def __init__(self, base, postgres, redis_server, smtp):
        self.base = base
        self.postgres = postgres
        self.redis = redis_server
        self.smtp = smtp
        self.logs = base / "logs"
        self.logs.mkdir()
        self.var = base / "var"
        self.var.mkdir()
        self.web_port = free_port()
        self.processes = []
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_BACKEND", "EMAIL_HOST")}
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings", PYTHONUNBUFFERED="1", PORTAL_VAR_DIR=str(self.var),
            DATABASE_URL=postgres.url, REDIS_URL=redis_server.url, CELERY_TASK_ALWAYS_EAGER="false",
            DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), HTTPS="false",
            # Static files read in place: these tests are about outages, not the hashed names of a
            # collectstatic (tests/test_production_serving.py serves those).
            STATIC_MANIFEST="false",
            # The tests post as many residents from many addresses, as behind one proxy.
            NUM_PROXIES="1",
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port), EMAIL_USE_TLS="false", FORUM_NOTIFY_IN_WORKER="true",
            IMPACT_RUN_LEASE_SECONDS=str(LEASE_SECONDS), IMPACT_RUN_REDISPATCH_SECONDS="30",
            IMPACT_MONTE_CARLO_SAMPLES="1000", LOG_LEVEL="INFO",
        )
        self.env = env

    def get(self, path, **kwargs):
        return fetch(self.web_port, "GET", path, **kwargs)

    def post(self, path, fields, **kwargs):
        return fetch(self.web_port, "POST", path, fields=fields, **kwargs)

    def manage(self, *args, timeout=120):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def shell(self, code, timeout=120):
        """Run ``code`` in manage.py shell; it prints one JSON line last, which is returned."""
        out = self.manage("shell", "--no-imports", "-c", code, timeout=timeout)
        return json.loads(out.strip().splitlines()[-1])

    def start(self, name, args):
        process = Process(name, args, self.env, self.logs)
        self.processes.append(process)
        return process

    def worker(self, name, pool="solo", concurrency=1):
        [process] = self.workers(name, pool=pool, concurrency=concurrency)
        return process

    def workers(self, *names, pool="solo", concurrency=1):
        """Celery workers on the default queue, started side by side; returned once all are ready."""
        started = [self.start(name, [
            sys.executable, "-m", "celery", "-A", "portal", "worker", f"--pool={pool}", f"--concurrency={concurrency}",
            "-n", f"{name}@faults", "--loglevel=INFO", "--without-mingle", "--without-gossip",
        ]) for name in names]
        for process in started:
            process.wait_for_line(r"ready\.", 90)
            # Never the suite's shared Redis: these workers would take its messages.
            assert f"transport:   {self.redis.url}" in process.output(), process.tail()
        return started

    def single_thread_server(self, name):
        """The portal's WSGI application in one thread that serves every request, as a sync
        worker of a production WSGI server does: its database connection is kept between
        requests (CONN_MAX_AGE). Returns (process, port)."""
        port = free_port()
        code = ("from wsgiref.simple_server import make_server; from portal.wsgi import application; "
                f"make_server('127.0.0.1', {port}, application).serve_forever()")
        process = self.start(name, [sys.executable, "-c", code])
        wait_for(lambda: _answers(port), 60, lambda: f"{name} did not answer\n{process.tail()}")
        return process, port

    def request_report(self, period, samples):
        """Queue a run as staff would (manage.py compute_report): its id."""
        out = self.manage("compute_report", "memphis-supercluster", "--period", period, "--samples", str(samples))
        return int(re.search(r"Queued run (\d+)", out)[1])

    def run(self, run_id):
        [row] = self.postgres.query(
            "select status, stage, attempts, started_at, finished_at, error from impact_reportrun where id = %s", (run_id,))
        return dict(zip(("status", "stage", "attempts", "started_at", "finished_at", "error"), row))

    def result_rows(self, run_id):
        """How many result rows the run has, table by table, and how many of them are distinct."""
        tables = {"series": ("impact_seriespoint", "timestamp"), "metrics": ("impact_reportmetric", "(scenario, key)"),
                  "charts": ("impact_reportchart", "(key, language)"), "artifacts": ("impact_reportartifact", "kind")}
        return {
            name: self.postgres.query(f"select count(*), count(distinct {unique}) from {table} where run_id = %s", (run_id,))[0]
            for name, (table, unique) in tables.items()
        }

    def send_task(self, name, *args):
        """Put a task message on our broker directly, as a second delivery or beat would."""
        from celery import Celery

        client = Celery("faults-client", broker=self.redis.url, set_as_current=False)
        try:
            client.send_task(name, args=list(args))
        finally:
            client.close()

    def diagnostics(self):
        return "\n".join(process.tail() for process in self.processes)

    def stop_all(self):
        for process in self.processes:
            process.terminate()  # all at once, then wait for each
        for process in self.processes:
            process.stop()
        self.processes = []


SEED = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from portal.forums import services
from portal.forums.models import PostStatus, Question

User = get_user_model()

def session(user, device=None):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "portal.accounts.backends.EmailOrUsernameBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if device is not None:  # staff act only with a verified second factor, as after the TOTP login
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return store.session_key

def people(prefix, count):
    return User.objects.bulk_create([
        User(username=f"{prefix}{n}", email=f"{prefix}{n}@example.org", password="!", display_name=f"{prefix} {n}")
        for n in range(count)
    ])

staff = User.objects.create(username="sam", email="sam@example.org", password="!", display_name="Sam (staff)", is_staff=True)
staff.groups.add(Group.objects.get_or_create(name="staff")[0])
phone = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
askers = people("asker", 200)
authors, followers = people("author", 5), people("follower", 15)
now = timezone.now()
questions = []
for n, author in enumerate(authors):
    question = Question.objects.create(
        author=author, title=f"How many turbines ran in week {n + 1}?", body="Details please.",
        body_html="<p>Details please.</p>", topic="energy", status=PostStatus.PUBLISHED, published_at=now,
    )
    services.sync_question(question)
    for follower in followers[3 * n:3 * n + 3]:
        services.follow(question, follower)
    questions.append({"id": question.pk, "tell": sorted([author.email] + [f.email for f in followers[3 * n:3 * n + 3]])})

# Beat sends the sweeper and the outbox drain every SWEEP seconds; nothing else is scheduled.
every, _ = IntervalSchedule.objects.get_or_create(every=SWEEP, period=IntervalSchedule.SECONDS)
PeriodicTask.objects.exclude(task__in=["impact.sweep_runs", "forums.deliver_notifications"]).update(enabled=False)
for task in PeriodicTask.objects.filter(task__in=["impact.sweep_runs", "forums.deliver_notifications"]):
    task.interval, task.enabled = every, True
    task.save()
print(json.dumps({
    "staff": session(staff, phone), "askers": [session(u) for u in askers], "questions": questions,
}))
"""


@pytest.fixture(scope="session")
def fault_base(request):
    """A temporary folder for the servers' data and every process's log. The logs are kept (the
    path is printed) when a test failed or FAULTS_KEEP_LOGS=1; everything else is removed."""
    # Not pytest's tmp_path: its parents are private to root, and PostgreSQL runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="portal-faults-"))
    base.chmod(0o755)
    yield base
    keep = request.session.testsfailed or os.environ.get("FAULTS_KEEP_LOGS") == "1"
    for child in base.iterdir():
        if not (keep and child.name in ("logs", "postgres.log")):
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink()
    if keep:
        print(f"\nfault test logs kept in {base}")
    else:
        base.rmdir()


@pytest.fixture(scope="session")
def own_postgres(fault_base):
    bin_dir = postgres_bin()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        need_service("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    server = Postgres(bin_dir, fault_base)
    server.start()
    yield server
    if server.is_up():
        server.stop("immediate")


@pytest.fixture(scope="session")
def own_redis():
    binary = shutil.which("redis-server")
    if binary is None:
        need_service("redis-server is not installed")
    server = Redis(binary)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink()
    yield sink
    sink.close()


@pytest.fixture(scope="session")
def portal_site(fault_base, own_postgres, own_redis, smtp_sink):
    """Our database migrated and seeded, a web server and a beat running for the whole session."""
    portal = Portal(fault_base, own_postgres, own_redis, smtp_sink)
    try:
        portal.manage("migrate", "--no-input", "-v", "0", timeout=240)
        portal.manage("load_memphis")
        portal.seed = portal.shell(SEED.replace("SWEEP", str(SWEEP_SECONDS)))
        portal.web = portal.start("web", [sys.executable, "manage.py", "runserver", f"127.0.0.1:{portal.web_port}",
                                          "--noreload"])
        wait_for(lambda: _answers(portal.web_port), 90, lambda: f"the web server did not answer\n{portal.web.tail()}")
        portal.beat = portal.start("beat", [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO",
                                            "-s", str(portal.var / "beat-schedule")])
        portal.beat.wait_for_line(r"beat: Starting", 60)
        yield portal
    finally:
        portal.stop_all()


def _answers(port):
    try:
        return fetch(port, "GET", "/", timeout=5)[0] == 200
    except OSError:
        return False


@pytest.fixture
def portal(portal_site):
    """The session's portal with both servers up and no worker yet; workers a test starts are
    stopped after it (the web server and beat stay)."""
    if not portal_site.postgres.is_up():
        portal_site.postgres.start()
    if not portal_site.redis.is_up():
        portal_site.redis.start()
    shared = list(portal_site.processes)
    yield portal_site
    ours = [process for process in portal_site.processes if process not in shared]
    for process in ours:
        process.terminate()
    for process in ours:
        process.stop()
    portal_site.processes = shared
