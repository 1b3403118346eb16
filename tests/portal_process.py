"""The portal as a separate process on loopback, for tests that must see it as deployed: DEBUG
off, its own SQLite file, gunicorn (or runserver), after migrate and collectstatic.

Used by tests/test_production_serving.py and the browser tests (tests/browser/).
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(base, path, method="GET", headers=None):
    """(status, lower-cased headers, body bytes) of one request; redirects are not followed."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(base + path, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


class PortalProcess:
    """One portal: ``manage()`` runs a command against its database, ``start()`` serves it."""

    def __init__(self, folder, **env):
        self.folder = Path(folder)
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "STATIC_MANIFEST",
                                 "DJANGO_SETTINGS_MODULE", "EMAIL_HOST")}
        self.env.update(
            DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), HTTPS="false", ALLOWED_HOSTS="127.0.0.1,localhost",
            # Loopback-only hosts would read as a laptop (files in place); deployed, names are hashed.
            STATIC_MANIFEST="true",
            PORTAL_VAR_DIR=str(self.folder / "var"), STATIC_ROOT=str(self.folder / "static"),
            MEDIA_ROOT=str(self.folder / "media"), DJANGO_SETTINGS_MODULE="portal.settings", LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        self.env.update(env)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env.setdefault("SITE_URL", self.base)
        self.server = None
        self.log_path = self.folder / "server.log"

    def manage(self, *args, timeout=600):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def prepare(self):
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        return self

    def start(self, workers=2):
        self.log = open(self.log_path, "w")
        self.server = subprocess.Popen(
            [str(BIN / "gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--worker-class", "sync", "--timeout", "60"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(self.base, "/healthz")
                return self
            except OSError:
                if self.server.poll() is not None:
                    raise AssertionError(f"gunicorn exited:\n{self.log_path.read_text()[-3000:]}") from None
                if time.monotonic() > deadline:
                    raise AssertionError("gunicorn did not answer within 60 s") from None
                time.sleep(0.3)

    def get(self, path, **kwargs):
        return fetch(self.base, path, **kwargs)

    def stop(self):
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        if self.server is not None:
            self.log.close()
