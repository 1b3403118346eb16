"""The embedded mode heals itself: `manage.py serve` restarts a worker that was killed in the
middle of the first report, and after a crash of everything it comes up again and serves.

Runs `serve` for real (fresh SQLite and filesystem broker in a temporary folder), about a minute.
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKER = re.compile(r"pid (\d+)\)")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Serve:
    """`manage.py serve` in a subprocess, its output collected line by line."""

    def __init__(self, var_dir, port):
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
        env.update(PORTAL_VAR_DIR=str(var_dir), IMPACT_MONTE_CARLO_SAMPLES="200", PYTHONUNBUFFERED="1",
                   CELERY_TASK_ALWAYS_EAGER="false")
        self.port = port
        self.lines = []
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}", "--timeout", "240"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    @property
    def output(self):
        return "\n".join(self.lines)

    def wait_for(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if re.search(pattern, line):
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s\n--- serve output ---\n{self.output[-4000:]}")

    def worker_pids(self):
        return [int(m[1]) for line in self.lines if (m := WORKER.search(line))]

    def get(self, path="/"):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
            return response.status

    def kill_all(self):
        """kill -9 serve and every worker it started (a crash, a power cut)."""
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill_all()


def run_status(var_dir):
    db = sqlite3.connect(var_dir / "portal.sqlite3", timeout=5)
    try:
        return [row[0] for row in db.execute("select status from impact_reportrun order by id")]
    except sqlite3.OperationalError:
        return []
    finally:
        db.close()


def group_alive(pid):
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until(predicate, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(message)


needs_posix = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")


def start_first_report(var_dir):
    serve = Serve(var_dir, free_port())
    serve.wait_for(r"queued; the worker is computing", 180)
    wait_until(lambda: "running" in run_status(var_dir), 120, f"the run never started\n{serve.output[-3000:]}")
    return serve


def comes_up_and_serves(serve, var_dir):
    serve.wait_for(r"published as", 240)
    assert run_status(var_dir) == ["succeeded"]  # the same run, computed once: no second run
    serve.wait_for(r"The portal is running", 30)
    wait_until(lambda: _answers(serve), 30, f"the site did not answer\n{serve.output[-3000:]}")


@needs_posix
def test_serve_restarts_a_worker_killed_mid_report_and_publishes_it(tmp_path):
    serve = start_first_report(tmp_path)
    try:
        [first_worker] = serve.worker_pids()
        os.kill(first_worker, signal.SIGKILL)  # kill -9 mid-report
        serve.wait_for(r"starting it again", 30)
        comes_up_and_serves(serve, tmp_path)
        assert not group_alive(first_worker)  # no orphaned beat child of the killed worker
    finally:
        serve.stop()
    assert not any(group_alive(pid) for pid in serve.worker_pids())  # stopping serve ends its worker too


@needs_posix
def test_after_a_crash_of_serve_and_its_worker_serve_comes_up_and_finishes_the_report(tmp_path):
    crashed = start_first_report(tmp_path)
    crashed.kill_all()  # kill -9 of everything mid-report: the run is left "running"
    assert run_status(tmp_path) == ["running"]
    again = Serve(tmp_path, free_port())
    try:
        again.wait_for(r"Recovered runs a stopped worker left behind: 1 queued again", 120)
        comes_up_and_serves(again, tmp_path)
    finally:
        again.stop()


def _answers(serve):
    try:
        return serve.get("/") == 200
    except OSError:
        return False
