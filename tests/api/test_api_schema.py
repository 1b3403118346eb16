"""The OpenAPI schema: generates with no warnings, describes every field and parameter, is served,
and the read endpoints answer schemathesis' generated requests with no server error and no
response that breaks the schema."""

import os

import pytest
import schemathesis
import yaml
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings as hypothesis_settings
from schemathesis import GenerationConfig
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from portal.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema_document(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    # --fail-on-warn turns any drf-spectacular warning into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_the_schema_generates_without_warnings(schema_document):
    assert schema_document["openapi"].startswith("3.")
    assert "/api/v1/series-points/" in schema_document["paths"]


def test_every_field_has_a_description(schema_document):
    undescribed = [
        f"{name}.{field}"
        for name, component in schema_document["components"]["schemas"].items()
        for field, spec in component.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert undescribed == []


def test_every_parameter_has_a_description(schema_document):
    undescribed = [
        f"{method.upper()} {path} {parameter['name']}"
        for path, operations in schema_document["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert undescribed == []


def test_the_schema_and_docs_are_served(api):
    assert api.get("/api/schema/").status_code == 200
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/api/schema/" in docs.content


@pytest.fixture
def unthrottled(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}


@pytest.fixture
def keep_connection():
    """Like Django's test client: a request through the WSGI app must not close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def wsgi_schema(unthrottled, keep_connection):
    # Loaded when the test runs, not at collection, through the same WSGI app a server would run.
    # The reads are public: no generated Authorization header or session cookie (a forged
    # sessionid reaches Django's session table, which is not this API's concern).
    return schemathesis.from_wsgi(
        "/api/schema/", application, generation_config=GenerationConfig(with_security_parameters=False)
    )


schema = schemathesis.from_pytest_fixture("wsgi_schema")


@schema.parametrize(method="GET")
@hypothesis_settings(
    # A few per operation keeps the suite quick; SCHEMATHESIS_MAX_EXAMPLES=500 for a deeper local run.
    max_examples=int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_read_endpoints_hold_to_the_schema(case, published):
    response = case.call_wsgi()
    case.validate_response(
        response, checks=(not_a_server_error, response_schema_conformance, content_type_conformance)
    )
