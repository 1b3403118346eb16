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
        ({"ALLOWED_HOSTS": "portal.example.org"}, "SECRET_KEY is the development key"),
        ({"ALLOWED_HOSTS": "localhost,portal.example.org"}, "SECRET_KEY is the development key"),
        ({"ALLOWED_HOSTS": "portal.example.org", "SECRET_KEY": "x" * 50, "STAFF_REQUIRE_OTP": "false"},
         "STAFF_REQUIRE_OTP is off"),
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


def test_the_laptop_defaults_start_with_the_development_key_and_debug_off(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", "import os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; "
         "from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY == s.DEV_SECRET_KEY, s.HTTPS, s.STATIC_MANIFEST)"],
        cwd=ROOT, env=clean_environment(tmp_path), capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "False", "False"]


def clean_environment(var_dir):
    """What a resident's shell gives ``manage.py serve``: none of the portal's variables (the
    state folder aside, so the test leaves no database in the checkout)."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return {**env, "PORTAL_VAR_DIR": str(var_dir)}


# The README's laptop run asks a mistyped URL: Django's test client inside a fresh interpreter whose
# environment holds none of the portal's variables, so the settings' own defaults decide.
MISTYPED_URL = """
import os, django
os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'
django.setup()
from django.test import Client
response = Client(raise_request_exception=False).get('/reprots/2024-07/', HTTP_HOST='127.0.0.1:8000')
print(response.status_code)
print(response.content.decode())
"""


def test_a_mistyped_url_on_the_laptop_defaults_gets_the_sites_own_404_page(tmp_path):
    out = subprocess.run([sys.executable, "-c", MISTYPED_URL], cwd=ROOT, env=clean_environment(tmp_path),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    status, _, body = out.stdout.partition("\n")
    assert status == "404"
    assert "Community Impact Portal" in body and "core/site.css" in body, "the site's own page"
    assert "URLconf" not in body and "DEBUG = True" not in body, "not Django's technical 404"
