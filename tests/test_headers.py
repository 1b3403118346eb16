"""Headers (issue 11): a Content-Security-Policy without inline scripts on every page, templates
that need no inline script or style, and HTTPS settings that make `check --deploy` clean."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize("url", [
    "/", "/reports/", "/forum/", "/forum/search/?q=water", "/accounts/login/", "/accounts/signup/",
    "/feeds/answers.atom", "/api/v1/questions/", "/admin/login/", "/no/such/page/", "/forum/search/?q=%00",
])
def test_every_page_has_a_policy_that_refuses_inline_scripts(anonymous, url):
    response = anonymous.get(url)
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_signed_in_pages_have_the_policy_too(login, resident):
    response = login(resident).get("/forum/ask/")
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert 'src="/static/forums/similar-questions.js"' in response.content.decode()


def test_the_api_docs_load_redoc_from_this_site_and_allow_only_its_inline_styles(anonymous):
    response = anonymous.get("/api/docs/")
    assert response.status_code == 200
    policy = directives(response)
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["script-src"] == ["'self'"], "Redoc comes from this site's static files (drf-spectacular-sidecar)"
    assert 'src="/static/drf_spectacular_sidecar/redoc/' in response.content.decode()
    assert "'unsafe-inline'" in policy["style-src"], "Redoc writes its own <style> elements"
    assert not INLINE_SCRIPT.search(response.content.decode())


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:json|ld\+json)\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)


def site_templates():
    folders = [ROOT / "templates", *ROOT.glob("portal/*/templates"), *ROOT.glob("impact/templates")]
    return sorted(p for folder in folders for p in folder.rglob("*.html"))


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE], ids=["script", "on-handler", "style"])
def test_no_template_needs_what_the_policy_refuses(pattern):
    offenders = [str(p.relative_to(ROOT)) for p in site_templates() if pattern.search(p.read_text())]
    assert offenders == []


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "HTTPS", "HSTS_SECONDS")}
    clean.update(env)
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=120)


PRODUCTION = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "portal.example.org"}
SHOW = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"


def test_production_settings_pass_the_deployment_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_with_debug_off_https_is_required_and_remembered():
    result = run_manage("shell", "--no-imports", "-c", SHOW, **PRODUCTION)
    assert result.stdout.split() == ["True", "True", "True", "31536000"], result.stderr


def test_https_false_serves_a_laptop_without_tls():
    result = run_manage("shell", "--no-imports", "-c", SHOW, **PRODUCTION, HTTPS="false")
    assert result.stdout.split() == ["False", "False", "False", "0"], result.stderr


def test_a_malformed_switch_refuses_to_start():
    result = run_manage("check", **PRODUCTION, HTTPS="sometimes")
    assert result.returncode != 0 and "HTTPS='sometimes' is not a boolean" in result.stderr


def test_the_ssl_redirect_and_hsts_reach_the_browser(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    redirect = client.get("/forum/")
    assert redirect.status_code == 301 and redirect["Location"] == "https://testserver/forum/"
    secure = client.get("/forum/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_laptop_defaults_stay_plain_http():
    result = run_manage("shell", "--no-imports", "-c", SHOW)
    assert result.stdout.split() == ["False", "False", "False", "0"], result.stderr
