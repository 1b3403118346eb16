"""Run the whole portal on one machine: database, seed data, a Celery worker, the first report, the web server."""

import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

FIRST_PERIOD = "2024-07"  # the month of the article the portal grew from


class Command(BaseCommand):
    help = (
        "Migrate, load the Memphis facility, start a Celery worker, have it compute and publish the first "
        "report, then serve the site until Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-first-report", action="store_true", help="skip computing the first report")
        parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the first report")

    def handle(self, *args, **opts):
        # runserver ignores SIGTERM; turn it into an exit so the worker is stopped with us.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        call_command("compile_locales", verbosity=0)
        if settings.STATIC_MANIFEST:
            # Hashed names need their manifest: without it every page would fail to name its CSS.
            call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write(f"Static files collected into {settings.STATIC_ROOT}.")
        call_command("load_memphis")
        self._recover_runs()
        self.supervisor = WorkerSupervisor(self.stdout, self.style)
        self.supervisor.start()
        try:
            if not opts["no_first_report"]:
                self._first_report(opts["timeout"])
            host, _, port = opts["addrport"].rpartition(":")
            url = f"http://{host or '127.0.0.1'}:{port}/"
            self.stdout.write(self.style.SUCCESS(f"\nThe portal is running at {url}  (admin: {url}admin/, API: {url}api/docs/)"))
            self.stdout.write(
                "Staff sign-in needs a password and a TOTP code: .venv/bin/python manage.py createsuperuser, "
                "then .venv/bin/python manage.py enrol_totp <username> (see docs/admin.md)\n"
            )
            self.supervisor.watch_in_background()
            call_command("runserver", opts["addrport"], use_reloader=False)
        finally:
            self.supervisor.stop()

    def _recover_runs(self):
        """Runs left running by a worker of ours that died (kill -9, a crash, a power cut) are
        queued again. Only here, in the embedded mode, is it certain that no other worker exists;
        with a shared broker the sweeper waits for their leases to run out instead."""
        from impact import leases

        if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
            return
        counts = leases.sweep(force=True)
        if counts["requeued"] or counts["failed"]:
            self.stdout.write(
                f"Recovered runs a stopped worker left behind: {counts['requeued']} queued again, {counts['failed']} failed."
            )

    def _first_report(self, timeout):
        from impact import leases, services
        from impact.models import Facility, ReportRun

        facility = Facility.objects.get(slug="memphis-supercluster")
        if facility.reports.filter(period=FIRST_PERIOD, versions__isnull=False).exists():
            self.stdout.write(f"The {FIRST_PERIOD} report is already published.")
            return
        run = services.request_report(facility, FIRST_PERIOD)
        self.stdout.write(f"Run {run.pk} queued; the worker is computing {run.report} …")
        deadline = time.monotonic() + timeout
        while run.is_active:
            if self.supervisor.restart_if_dead():
                self._recover_runs()  # the dead worker's run: queue it for the new one now
            elif leases.is_stuck(run):
                leases.revive(run)
            if time.monotonic() > deadline:
                raise CommandError(f"Run {run.pk} did not finish within {timeout:g} s.")
            time.sleep(0.5)
            run.refresh_from_db()
        if run.status == ReportRun.Status.FAILED:
            raise CommandError(f"The first report failed: {run.error.splitlines()[0]}")
        version, _ = services.publish_run(run)
        self.stdout.write(self.style.SUCCESS(f"Computed in {run.duration.total_seconds():.1f} s and published as {version}."))


class WorkerSupervisor:
    """Keeps one Celery worker (with its embedded beat) running for ``serve``.

    The worker runs in a process group of its own, so stopping or restarting it also ends the
    beat child it forks: kill -9 of the worker no longer leaves an orphaned scheduler behind.
    """

    RESTART_PAUSE_SECONDS = 1.0

    def __init__(self, stdout, style):
        self.stdout = stdout
        self.style = style
        self.process = None
        self.restarts = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def start(self):
        broker = settings.CELERY_BROKER_URL.split("://")[0]
        # --pool=solo: one process is enough here and behaves the same on every OS.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--beat", "--pool=solo", "--loglevel=WARNING"],
            env=os.environ.copy(),
            start_new_session=True,
        )
        self.stdout.write(f"Started a Celery worker with the beat scheduler (broker: {broker}; pid {self.process.pid}).")
        self.stdout.flush()

    def restart_if_dead(self):
        """Start a new worker if the current one has exited; True if it did."""
        with self._lock:
            if self._stopping.is_set() or self.process is None or self.process.poll() is None:
                return False
            code = self.process.returncode
            self._end_group(self.process)  # its beat child, if it outlived the worker
            self.restarts += 1
            self.stdout.write(self.style.WARNING(
                f"The Celery worker exited (code {code}); starting it again (restart {self.restarts})."
            ))
            time.sleep(self.RESTART_PAUSE_SECONDS)
            self.start()
            return True

    def watch_in_background(self, interval=2.0):
        """Restart the worker whenever it dies, for as long as the web server runs."""
        from impact import leases

        def watch():
            while not self._stopping.wait(interval):
                if self.restart_if_dead() and settings.CELERY_BROKER_URL.startswith("filesystem://"):
                    leases.sweep(force=True)

        threading.Thread(target=watch, name="worker-supervisor", daemon=True).start()

    def stop(self):
        self._stopping.set()
        with self._lock:
            if self.process is not None:
                self._end_group(self.process)

    @staticmethod
    def _end_group(process):
        """SIGTERM the worker's whole process group (its id is the worker's pid, see
        start_new_session), then SIGKILL whatever is left after 15 s."""
        group = process.pid
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)  # anyone left in the group?
            except ProcessLookupError:
                return
            time.sleep(0.2)
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
