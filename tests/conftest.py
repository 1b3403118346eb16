"""Persona fixtures shared by every test file: anonymous, resident, another resident, moderator,
analyst and administrator. Feature-specific factories live beside the tests that use them."""

import os
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def deselect_folder(config, items, folder):
    """Deselect the tests under ``folder`` when others are collected with them (a whole-suite pass
    of CI that another pass already covers); asked for on their own they always run."""
    ours = [item for item in items if folder in Path(str(item.fspath)).parents]
    if not ours or len(ours) == len(items):
        return
    config.hook.pytest_deselected(items=ours)
    items[:] = [item for item in items if item not in ours]


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """The Spanish catalogues compiled, as the README's run command does (manage.py compile_locales)."""
    from django.core.management import call_command

    call_command("compile_locales", verbosity=0)


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's default language: a request the test client sends with
    Accept-Language: es leaves Spanish active on the thread (LocaleMiddleware activates, never resets)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def chart_languages(request, settings):
    """Reports computed in a test draw their charts in English only (about half the drawing time of
    the suite's hundreds of runs), unless the test is marked ``every_chart_language``: the Spanish
    charts' own tests, and the pages that show them. Portals the tests start as processes (browser,
    faults) draw every language, as a deployment does."""
    if request.node.get_closest_marker("every_chart_language") is None:
        settings.REPORT_CHART_LANGUAGES = ["en"]


def need_service(reason):
    """Skip on a laptop without the service; fail in CI, where the service is mandatory."""
    if IN_CI:
        pytest.fail(f"required service unavailable in CI: {reason}")
    pytest.skip(reason)


# Every method of Django's cache API, so an outage fixture can switch them all off.
CACHE_METHODS = ("add", "get", "set", "incr", "decr", "delete", "get_many", "set_many", "touch", "has_key", "get_or_set")


class CacheOutage:
    """The default cache switched off (each call raises as redis-py does when Redis is stopped) and on again."""

    def __init__(self):
        self.down = True

    def wrap(self, method):
        import redis

        def maybe_refuse(*args, **kwargs):
            if self.down:
                raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
            return method(*args, **kwargs)

        return maybe_refuse


@pytest.fixture
def cache_down(monkeypatch):
    """Redis unreachable for the whole test (``cache_down.down = False`` brings it back)."""
    from django.core.cache import caches

    from portal.core import ratelimit

    monkeypatch.setattr(ratelimit, "outage", ratelimit._Outage())  # this outage logs its own warning
    outage = CacheOutage()
    backend = caches["default"]
    for name in CACHE_METHODS:
        monkeypatch.setattr(backend, name, outage.wrap(getattr(backend, name)))
    return outage


@pytest.fixture(autouse=True)
def fresh_page_cache(monkeypatch):
    """Each test reads and stores pages under its own prefix, with no outage remembered from another
    test (not cache.clear(): with Redis that would flush a database the Celery broker may share)."""
    import uuid

    from portal.core import pagecache

    monkeypatch.setattr(pagecache, "KEY_PREFIX", f"page-test-{uuid.uuid4().hex}")
    monkeypatch.setattr(pagecache, "outage", pagecache._Outage())


def make_user(username, *, groups=(), is_staff=False, **extra):
    # Imported here so that Django-free suites (tests/engine) can load this file without Django.
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="correct horse battery staple",
        is_staff=is_staff,
        **extra,
    )
    for name in groups:
        group, _ = Group.objects.get_or_create(name=name)
        user.groups.add(group)
    return user


@pytest.fixture
def resident(db):
    return make_user("rosa", display_name="Rosa P.", neighbourhood="Boxtown")


@pytest.fixture
def another_resident(db):
    return make_user("kwame", display_name="Kwame", neighbourhood="Westwood")


@pytest.fixture
def moderator(db):
    return make_user("mo", groups=("moderator",), is_staff=True, display_name="Moderator Mo")


@pytest.fixture
def analyst(db):
    return make_user("ana", groups=("analyst",), is_staff=True, display_name="Analyst Ana")


@pytest.fixture
def administrator(db):
    return make_user("admin", groups=("administrator",), is_staff=True, is_superuser=True)


@pytest.fixture
def anonymous(client):
    """A client with no session: a member of the public."""
    return client


@pytest.fixture
def login(client):
    """Log a user in on the shared test client and return it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- Report factories (shared by tests/impact and tests/admin) -----------------------------------
# Imports stay inside the fixtures so that Django-free suites (tests/engine) can load this file.

SHORT = "2024-07-01..2024-07-02"  # two local days: enough for every chart, fast to compute


@pytest.fixture
def memphis(db):
    """The seeded Memphis Supercluster facility."""
    from impact.seed import load_memphis

    facility, _ = load_memphis()
    return facility


@pytest.fixture
def eager_celery(settings):
    """Run tasks in-process at .delay() time (tests/impact/test_worker.py covers the real broker).

    Celery reads CELERY_* names from Django settings on every lookup, so the settings fixture
    switches it and restores it afterwards.
    """
    from portal.celery import app as celery_app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert celery_app.conf.task_always_eager is True
    return celery_app


@pytest.fixture
def computed_run(memphis, eager_celery, django_capture_on_commit_callbacks):
    """A factory of succeeded, unpublished runs (two days and a small Monte Carlo by default)."""
    from impact import services

    def _make(period=SHORT, samples=20, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.request_report(memphis, period, samples=samples, **kwargs)
        run.refresh_from_db()
        return run

    return _make


@pytest.fixture
def published(computed_run, analyst):
    """Version 1 of a computed run, published by the analyst."""
    from impact import services

    run = computed_run()
    version, _ = services.publish_run(run, user=analyst)
    return version


# --- Synthetic engine results (report side without the engine) -----------------------------------
# A hand-built result shaped like the engine's (served energy, batteries, unserved-demand
# diagnostics, summary["methods"]), saved through the worker's own charts, downloads and
# services._save_results, so report pages, gates and downloads can be tested on exact numbers.

SYNTHETIC_METHODS = [
    {"scope": "onsite", "part": "Mobile engines", "pollutant": "nox", "regime": "AP-42 uncontrolled, ≥90 % load",
     "value": 4.08, "unit": "lb/MMBtu", "basis": "HHV", "path": "generators.0.emission_factors_lb_per_mmbtu.nox",
     "fuel_share": 0.75, "note": "× 0.45359237 kg/lb"},
    {"scope": "onsite", "part": "Mobile engines", "pollutant": "nox", "regime": "AP-42 uncontrolled, <90 % load",
     "value": 0.847, "unit": "lb/MMBtu", "basis": "HHV", "path": "generators.0.part_load_factors_lb_per_mmbtu.nox",
     "fuel_share": 0.25, "note": "× 0.45359237 kg/lb"},
    {"scope": "fuel", "part": "Mobile engines", "pollutant": "co2", "regime": "Part 98", "value": 53.06,
     "unit": "kg/MMBtu", "basis": "HHV", "path": "fuel.co2_kg_per_mmbtu", "fuel_share": None, "note": ""},
    {"scope": "grid_location", "part": "MLGW", "pollutant": "co2", "regime": "eGRID SRTV total output",
     "value": 931.59, "unit": "lb/MWh", "basis": None, "path": "grid.emission_rates_lb_per_mwh.co2",
     "fuel_share": None, "note": "× 0.45359237 kg/lb"},
    {"scope": "grid_market", "part": "MLGW", "pollutant": "co2", "regime": "TVA system rate", "value": 624.94,
     "unit": "lb/MWh", "basis": None, "path": "grid.market_rates_lb_per_mwh.co2", "fuel_share": None, "note": ""},
]
SYNTHETIC_ASSUMPTIONS = [
    {"path": "generators.0.emission_factors_lb_per_mmbtu.nox", "label": "Engine NOx, ≥90 % load", "unit": "lb/MMBtu",
     "central": 4.08, "low": 0.847, "high": 4.08, "distribution": "triangular", "status": "U",
     "source": "EPA AP-42", "source_url": "https://www.epa.gov/air-emissions-factors-and-quantification/ap-42",
     "note": "", "source_section": "§3.2, Table 3.2-2", "source_year": 2000,
     "distribution_reason": "AP-42 gives the uncontrolled factor; controls can only lower it."},
    {"path": "generators.0.part_load_factors_lb_per_mmbtu.nox", "label": "Engine NOx, <90 % load", "unit": "lb/MMBtu",
     "central": 0.847, "low": None, "high": None, "distribution": "fixed", "status": "U", "source": "EPA AP-42",
     "source_url": "", "note": "", "source_section": "§3.2, Table 3.2-2", "source_year": 2000},
    {"path": "fuel.co2_kg_per_mmbtu", "label": "Natural gas CO2 factor", "unit": "kg/MMBtu", "central": 53.06,
     "low": None, "high": None, "distribution": "fixed", "status": "S", "source": "40 CFR 98 Subpart C",
     "source_url": "", "note": "", "source_section": "Table C-1", "source_year": 2024},
    {"path": "grid.emission_rates_lb_per_mwh.co2", "label": "Grid CO2 rate (eGRID SRTV)", "unit": "lb/MWh",
     "central": 931.59, "low": 900, "high": 932, "distribution": "triangular", "status": "S",
     "source": "MLGW carbon allocation (eGRID)", "source_url": "", "note": "", "source_section": "SRTV",
     "source_year": 2021},
    {"path": "grid.market_rates_lb_per_mwh.co2", "label": "TVA system CO2 rate", "unit": "lb/MWh",
     "central": 624.94, "low": None, "high": None, "distribution": "fixed", "status": "S", "source": "tva.com",
     "source_url": "", "note": "", "source_section": "Carbon Dioxide", "source_year": 2023},
]


def build_synthetic_result(unserved_share=0.0):
    """Two days, hourly: 8 MW of grid (some of it charging a battery), 35 MW of engines, a battery."""
    from dataclasses import asdict, dataclass, field

    import numpy as np

    from impact.engine.labels import METRIC_LABELS
    from impact.engine.result import Metric

    n = 48
    hours = np.arange(n)
    morning = (hours % 24) < 12
    discharge = np.where(morning, 2.0, 0.0)
    charge = np.where(morning, 0.0, 1.0)
    grid = np.full(n, 8.0)
    onsite = np.full(n, 35.0)
    served = grid + onsite + discharge - charge  # the engine's hourly balance
    demand = served / (1.0 - unserved_share)
    unserved = demand - served
    kg = {p: onsite * 10.0 for p in ("co2", "ch4", "n2o", "nox", "co", "voc", "pm", "so2", "formaldehyde")}
    kg["nox"] = onsite * 1.2345e3 / 35.0
    kg["co2e"] = onsite * 19.87e3 / 35.0
    grid_kg = {p: grid * 0.5 for p in kg}
    grid_kg["co2e"] = grid * 422.6
    it = served / 1.25

    @dataclass
    class Series:
        timestamps: np.ndarray
        n_steps: int = n
        grid_mw: np.ndarray = field(default_factory=lambda: grid)
        onsite_mw: np.ndarray = field(default_factory=lambda: onsite)
        battery_discharge_mw: np.ndarray = field(default_factory=lambda: discharge)
        battery_charge_mw: np.ndarray = field(default_factory=lambda: charge)
        facility_load_mw: np.ndarray = field(default_factory=lambda: served)
        it_load_mw: np.ndarray = field(default_factory=lambda: it)
        demand_mw: np.ndarray = field(default_factory=lambda: demand)
        unserved_mw: np.ndarray = field(default_factory=lambda: unserved)
        grid_capacity_mw: np.ndarray = field(default_factory=lambda: np.full(n, 8.0))
        water_onsite_l: np.ndarray = field(default_factory=lambda: it * 1000.0)
        generator_mw: dict = field(default_factory=lambda: {"Mobile engines": onsite})
        onsite_kg: dict = field(default_factory=lambda: kg)
        grid_kg: dict = field(default_factory=lambda: grid_kg)

        def columns(self):
            cols = {"timestamp_utc": self.timestamps}
            for name in ("facility_load_mw", "demand_mw", "grid_capacity_mw", "grid_mw", "onsite_mw",
                         "battery_discharge_mw", "battery_charge_mw", "unserved_mw", "it_load_mw", "water_onsite_l"):
                cols[name] = getattr(self, name)
            cols["onsite_nox_kg"] = self.onsite_kg["nox"]
            cols["onsite_co2e_kg"] = self.onsite_kg["co2e"]
            cols["grid_co2e_kg"] = self.grid_kg["co2e"]
            return cols

    @dataclass(frozen=True)
    class Generator:
        name: str = "Mobile engines"
        kind: str = "engine"
        unit_count: int = 14
        run_hours_per_unit: float = 48.0
        starts_per_unit: float = 1.0
        load_factor_per_unit: float = 1.0
        energy_mwh: float = float(onsite.sum())
        fuel_mmbtu: float = float(onsite.sum()) * 8.2

        def to_dict(self):
            return asdict(self)

    values = {
        "energy_facility_mwh": served.sum(), "energy_it_mwh": it.sum(), "energy_grid_mwh": grid.sum(),
        "energy_onsite_mwh": onsite.sum(), "energy_battery_discharge_mwh": discharge.sum(),
        "energy_battery_charge_mwh": charge.sum(), "energy_demand_mwh": demand.sum(),
        "energy_unserved_mwh": unserved.sum(), "unserved_share": unserved_share,
        "unserved_hours_h": float((unserved > 1e-9).sum()), "peak_facility_mw": served.max(),
        "onsite_share": onsite.sum() / served.sum(), "fuel_scf": onsite.sum() * 8.2e6 / 1026,
        "nox_onsite_t": kg["nox"].sum() / 1000, "formaldehyde_onsite_t": kg["formaldehyde"].sum() / 1000,
        "co2e_onsite_t": kg["co2e"].sum() / 1000, "co2e_grid_t": grid_kg["co2e"].sum() / 1000,
        "water_onsite_m3": it.sum(),  # 1 L per kWh of IT: MWh × 1000 L ÷ 1000 L/m³
    }
    values["co2e_total_t"] = values["co2e_onsite_t"] + values["co2e_grid_t"]
    values["co2e_total_market_t"] = values["co2e_onsite_t"] + values["co2e_grid_t"] * 0.67
    values["nox_total_t"] = values["nox_onsite_t"] + grid_kg["nox"].sum() / 1000
    metrics = {}
    for key, value in values.items():
        label, unit = METRIC_LABELS[key]
        value = float(value)
        metrics[key] = Metric(key, label, unit, value, value * 0.9, value * 1.01, value * 1.1)

    start = np.datetime64("2024-07-01T05:00")
    series = Series(timestamps=start + np.arange(n).astype("timedelta64[h]"))

    @dataclass
    class Base:
        metrics: dict
        series: object
        scenario_name: str = "base"
        engine_version: str = "2.0.0-synthetic"
        gwp_set: str = "AR6"
        generators: tuple = (Generator(),)
        checks: dict = field(default_factory=dict)

        def to_dict(self):
            return {
                "scenario_name": self.scenario_name, "engine_version": self.engine_version, "gwp_set": self.gwp_set,
                "gwp": {"set": "AR6", "ch4": 29.8, "n2o": 273.0, "source": "IPCC AR6 WG1 Table 7.15", "status": "U"},
                "metrics": {k: m.to_dict() for k, m in self.metrics.items()},
                "methods": SYNTHETIC_METHODS,
                "generators": [g.to_dict() for g in self.generators],
                "comparisons": [], "drivers": [], "checks": {},
            }

    @dataclass
    class Result:
        base: object
        scenarios: dict = field(default_factory=dict)
        comparison_rows: list = field(default_factory=list)

        def to_dict(self):
            return {"base": self.base.to_dict(), "scenarios": {}, "comparison_rows": []}

    return Result(Base(metrics, series))


@pytest.fixture
def synthetic_run(db):
    """A factory of succeeded, unpublished runs of a hand-built result (see build_synthetic_result)."""
    import datetime as dt

    from django.utils import timezone

    from impact import downloads, services
    from impact.models import Facility, Report, ReportRun

    facility = Facility.objects.create(name="Test Hall", slug="test-hall", location="Memphis, TN", operator="Tester")
    made = []

    def _make(unserved_share=0.0):
        report, _ = Report.objects.get_or_create(
            facility=facility, period="2024-07-01..2024-07-02",
            defaults={"period_kind": "custom", "start_date": dt.date(2024, 7, 1), "end_date": dt.date(2024, 7, 3)},
        )
        run = ReportRun.objects.create(
            report=report, status=ReportRun.Status.RUNNING, input_snapshot={"assumptions": SYNTHETIC_ASSUMPTIONS},
            input_hash=f"{len(made):064d}", engine_version="2.0.0-synthetic", monte_carlo_samples=20, seed=1,
            started_at=timezone.now(), lease_token="synthetic", attempts=1,
        )
        result = build_synthetic_result(unserved_share)
        drawn = services.draw_charts(result, facility.zone)  # every language, as the worker draws them
        files = downloads.build_downloads(run, result, drawn[services.ENGLISH])
        services._save_results(run, "synthetic", result, drawn, files, 0.1)
        run.refresh_from_db()
        made.append(run)
        return run

    return _make


# --- helpers shared by several test folders ---------------------------------------------------


def verify_second_factor(client, user):
    """Verify ``client``'s session by a TOTP device of ``user``, as the staff login does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def form_values(page):
    """POST data that resubmits a change form exactly as shown (main form and every inline)."""
    from django.forms import MultiWidget

    data = {}

    def add(form):
        for name in form.fields:
            bound = form[name]
            value = bound.value()  # already prepared for the widget (pk, JSON text, …)
            key = form.add_prefix(name)
            if isinstance(bound.field.widget, MultiWidget):
                for i, part in enumerate(bound.field.widget.decompress(value)):
                    data[f"{key}_{i}"] = "" if part is None else str(part)
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            elif value is not None:
                data[key] = str(value)

    add(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.initial_forms:
            add(form)
    return data


@pytest.fixture
def admin_form_values():
    """form_values for test packages that cannot import this module (tests/forums)."""
    return form_values
