"""What benchmarks/load.py and benchmarks/web.py share: their log line, a free loopback port, and
servers started in a session of their own, waited for, and stopped with their whole CPU time."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent  # manage.py's folder: where the servers run


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(argv, log_path, **popen):
    """Start ``argv`` writing to ``log_path``, in a session of its own, so that stopping its process
    group stops its children too (gunicorn workers, beat)."""
    out = open(log_path, "w")
    return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **popen)


def tail(log_path, chars=4000):
    return log_path.read_text(errors="replace")[-chars:] if log_path.exists() else ""


def wait_until_answers(proc, url, what, log_path, fail, timeout=60):
    """Poll ``url`` until it answers 200; ``fail(message)`` (which raises) if ``proc`` exits or
    ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail(f"{what} exited:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    fail(f"{what} did not answer within {timeout} s:\n{tail(log_path)}")


def stop(proc):
    """SIGTERM ``proc``'s process group, SIGKILL it after 20 s; the CPU seconds of ``proc`` and the
    children it waited for (wait4: the gunicorn master waits for its workers), or None."""
    if proc is None or proc.poll() is not None:
        return None
    os.killpg(proc.pid, signal.SIGTERM)
    cpu = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            break
        time.sleep(0.1)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # anything of its group still alive (a worker, beat)
    except ProcessLookupError:
        pass
    return cpu


class Servers:
    """Named processes of one benchmark, their logs in ``self.tmp``; ``stop_all()`` stops them all."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.processes = {}
        self.cpu_seconds = {}

    def launch(self, name, argv, env):
        self.processes[name] = start(argv, self.tmp / f"{name}.log", cwd=PROJECT, env=env)
        return self.processes[name]

    def tail(self, name, chars=4000):
        return tail(self.tmp / f"{name}.log", chars)

    def stop(self, name):
        cpu = stop(self.processes.pop(name, None))
        if cpu is not None:
            self.cpu_seconds[name] = cpu

    def stop_all(self):
        for name in list(self.processes):
            try:
                self.stop(name)
            except Exception as exc:  # noqa: BLE001 - go on stopping the rest
                log(f"stopping {name}: {exc}")
