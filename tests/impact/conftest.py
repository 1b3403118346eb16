"""Factories for the impact tests: the seeded Memphis facility and computed, published runs."""

import pytest

from impact import services
from impact.seed import load_memphis
from portal.celery import app as celery_app

SHORT = "2024-07-01..2024-07-02"  # two days: enough for every chart, fast to compute


@pytest.fixture
def memphis(db):
    facility, _ = load_memphis()
    return facility


@pytest.fixture
def eager_celery(settings):
    """Run tasks in-process at .delay() time (the worker test covers the real broker).

    Celery reads CELERY_* names from Django settings on every lookup, so the settings fixture
    switches it and restores it afterwards.
    """
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert celery_app.conf.task_always_eager is True
    return celery_app


@pytest.fixture
def computed_run(memphis, eager_celery, django_capture_on_commit_callbacks):
    """A succeeded, unpublished run over two days, with a small Monte Carlo."""

    def _make(period=SHORT, samples=20, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.request_report(memphis, period, samples=samples, **kwargs)
        run.refresh_from_db()
        return run

    return _make


@pytest.fixture
def published(computed_run, analyst):
    run = computed_run()
    version, _ = services.publish_run(run, user=analyst)
    return version
