"""Run the whole portal on one machine: database, seed data, a Celery worker, the first report, the web server."""

import os
import signal
import subprocess
import sys
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
        call_command("load_memphis")
        worker = self._start_worker()
        try:
            if not opts["no_first_report"]:
                self._first_report(opts["timeout"], worker)
            host, _, port = opts["addrport"].rpartition(":")
            url = f"http://{host or '127.0.0.1'}:{port}/"
            self.stdout.write(self.style.SUCCESS(f"\nThe portal is running at {url}  (admin: {url}admin/, API: {url}api/docs/)"))
            self.stdout.write(
                "Staff sign-in needs a password and a TOTP code: .venv/bin/python manage.py createsuperuser, "
                "then .venv/bin/python manage.py enrol_totp <username> (see docs/admin.md)\n"
            )
            call_command("runserver", opts["addrport"], use_reloader=False)
        finally:
            self._stop_worker(worker)

    def _start_worker(self):
        broker = settings.CELERY_BROKER_URL.split("://")[0]
        self.stdout.write(f"Starting a Celery worker with the beat scheduler (broker: {broker}).")
        # --pool=solo: one process is enough here and behaves the same on every OS.
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--beat", "--pool=solo", "--loglevel=WARNING"],
            env=os.environ.copy(),
        )

    def _stop_worker(self, worker):
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()

    def _first_report(self, timeout, worker):
        from impact import services
        from impact.models import Facility, ReportRun

        facility = Facility.objects.get(slug="memphis-supercluster")
        if facility.reports.filter(period=FIRST_PERIOD, versions__isnull=False).exists():
            self.stdout.write(f"The {FIRST_PERIOD} report is already published.")
            return
        run = services.request_report(facility, FIRST_PERIOD)
        self.stdout.write(f"Run {run.pk} queued; the worker is computing {run.report} …")
        deadline = time.monotonic() + timeout
        while run.is_active:
            if worker.poll() is not None:
                raise CommandError(f"The Celery worker exited with code {worker.returncode}; see its output above.")
            if time.monotonic() > deadline:
                raise CommandError(f"Run {run.pk} did not finish within {timeout:g} s.")
            time.sleep(0.5)
            run.refresh_from_db()
        if run.status == ReportRun.Status.FAILED:
            raise CommandError(f"The first report failed: {run.error.splitlines()[0]}")
        version, _ = services.publish_run(run)
        self.stdout.write(self.style.SUCCESS(f"Computed in {run.duration.total_seconds():.1f} s and published as {version}."))
