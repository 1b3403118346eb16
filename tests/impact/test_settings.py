"""Settings come from the environment and refuse to start on malformed or unsafe values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    """Import the settings in a fresh interpreter with ``env`` on top of a clean environment."""
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; "
         "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL)"],
        cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60,
    )


def test_defaults_need_no_server_sqlite_and_a_filesystem_broker():
    out = load_settings()
    assert out.returncode == 0, out.stderr
    assert "sqlite3 filesystem://" in out.stdout


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    out = load_settings(DATABASE_URL="postgres://u@db:5432/portal", REDIS_URL="redis://cache:6379/0")
    assert out.returncode == 0, out.stderr
    assert "postgresql redis://cache:6379/0" in out.stdout


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "false"}, "SECRET_KEY is the development key"),
        ({"REDIS_URL": "localhost:6379"}, "must start with redis://"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is malformed"),
        ({"NUM_PROXIES": "two"}, "NUM_PROXIES='two' is not a whole number"),
    ],
)
def test_a_malformed_or_unsafe_value_refuses_to_start_with_a_clear_message(env, message):
    out = load_settings(**env)
    assert out.returncode != 0
    assert message in out.stderr


def test_debug_off_starts_with_a_real_secret_key():
    out = load_settings(DEBUG="false", SECRET_KEY="x" * 50)
    assert out.returncode == 0, out.stderr
