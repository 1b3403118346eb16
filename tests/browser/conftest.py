"""Browser tests: Playwright driving Debian's Chromium, axe-core injected into each page.

The portal runs as deployed (tests/portal_process.py: gunicorn, DEBUG off, collectstatic) on a
SQLite file of its own, seeded once per session with the Memphis facility, its published July 2024
report, a forum question with an official answer, and a meeting. E-mails are written to files
(``mail_folder``) so a journey can read the link a resident receives.

Needs /usr/bin/chromium (Debian's ``chromium`` package; ``playwright install`` cannot download
browsers here) and axe-core (``npm ci --prefix tests/browser``): with ``CI=true`` a missing one
fails the run, elsewhere the browser tests skip saying which. Screenshots of every page go to
``BROWSER_SCREENSHOTS`` (default ``var/screenshots/``).
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from ..conftest import IN_CI, deselect_folder, need_service
from ..portal_process import ROOT, PortalProcess

HERE = Path(__file__).resolve().parent

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / "var" / "screenshots"))
WIDTHS = (320, 390, 1366)

SEED = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from datetime import timedelta
from impact.models import Facility, ReportVersion
from portal.forums import services
from portal.forums.models import Meeting, PostStatus, Question
from django_otp.plugins.otp_totp.models import TOTPDevice

User = get_user_model()
resident = User.objects.create_user("rosa", "rosa@example.org", "a long resident password 1", display_name="Rosa")
staff = User.objects.create_user("sam", "sam@example.org", "a long staff password 1", display_name="Sam (staff)",
                                 is_staff=True)
staff.groups.add(Group.objects.get(name="staff"))
# A moderator; both sign in to act with a password and a TOTP code (STAFF_REQUIRE_OTP on): the
# tests compute the code from the device's key (tests/browser/test_journeys.py, totp_code).
moderator = User.objects.create_user("mo", "mo@example.org", "a long moderator password 1", display_name="Mo (moderator)",
                                     is_staff=True)
moderator.groups.add(Group.objects.get(name="moderator"))
# A long-standing (trusted) resident for the keyboard journey: posts directly, and the other tests'
# attempts do not use up her daily question limit (which counts every post of the ask form).
keyboard_user = User.objects.create_user("kim", "kim@example.org", "a long resident password 2", display_name="Kim",
                                         is_trusted=True)
keyboard_user.groups.add(Group.objects.get(name="resident"))
devices = {user.username: TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
           for user in (staff, moderator)}
question = Question.objects.create(
    author=resident, title="How many hours did the turbines run in July?", body="And how much gas did they burn?",
    body_html="<p>And how much gas did they burn?</p>", topic="energy", status=PostStatus.PUBLISHED,
    published_at=timezone.now())
services.sync_question(question)
version = ReportVersion.objects.get()
print(json.dumps({"question": question.pk, "question_url": question.get_absolute_url(),
                  "version_url": version.get_absolute_url(), "version": version.pk,
                  "facility": version.report.facility.slug, "totp_keys": devices}))
"""


def pytest_collection_modifyitems(config, items):
    """In CI's PostgreSQL pass of the whole suite, deselect these tests: the portal they drive runs
    on a SQLite file of its own whatever DATABASE_URL says, so the SQLite pass has already run them
    exactly as they would run here. Asked for on their own (pytest tests/browser) they always run."""
    if not (IN_CI and os.environ.get("DATABASE_URL", "").startswith("postgres")):
        return
    deselect_folder(config, items, HERE)


@pytest.fixture(scope="session")
def chromium_path():
    if not Path(CHROMIUM).exists():
        need_service(f"Chromium is not at {CHROMIUM} (apt-get install chromium)")
    if not AXE.exists():
        need_service(f"axe-core is not installed at {AXE} (npm ci --prefix tests/browser)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        need_service("playwright is not installed (pip install -r requirements-test.txt)")
    return CHROMIUM


@pytest.fixture(scope="session")
def site(chromium_path, tmp_path_factory):
    """The seeded portal on loopback: ``site.base``, ``site.seed`` (ids and URLs), ``site.mails()``."""
    folder = tmp_path_factory.mktemp("browser-site")
    mail = folder / "mail"
    mail.mkdir()
    portal = PortalProcess(folder, CELERY_TASK_ALWAYS_EAGER="true", IMPACT_MONTE_CARLO_SAMPLES="200",
                           EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                           EMAIL_FILE_PATH=str(mail), STAFF_REQUIRE_OTP="true")
    portal.prepare()
    portal.manage("load_memphis")
    portal.manage("compute_report", "memphis-supercluster", "--period", "2024-07", "--publish", "--wait")
    portal.seed = json.loads(portal.manage("shell", "-c", SEED).strip().splitlines()[-1])
    portal.mail_folder = mail
    portal.mails = lambda: sorted(mail.glob("*.log"))
    portal.start()
    try:
        yield portal
    finally:
        portal.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        browser = playwright.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page_at(browser):
    """``page_at(width)``: a fresh page (own cookies) that many CSS pixels wide, 900 high."""
    contexts = []

    def open_page(width, height=900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US", bypass_csp=True)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def axe_violations(page, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")):
    """axe-core's WCAG 2.1 A/AA violations on ``page``: [(rule id, impact, [target selectors])]."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(tags))
    return [(v["id"], v["impact"], [", ".join(n["target"]) for n in v["nodes"]][:5]) for v in result["violations"]]


def horizontal_overflow(page):
    """CSS pixels the page is wider than its viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def wider_than_viewport(page):
    """The elements that reach past the right edge, to name in a failure: [(selector-ish, right px)]."""
    return page.evaluate("""() => {
        const width = window.innerWidth, found = [];
        for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > width + 1 && r.width > 0) {
                const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
                found.push([name, Math.round(r.right)]);
            }
        }
        return found.slice(0, 8);
    }""")


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session", autouse=True)
def fresh_screenshots():
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
