"""Bad input at the boundary: control characters in the path, the query string or a form field get
a 400 before any view, form or query sees them, so nothing is stored and PostgreSQL never raises
a DataError on a NUL byte (issue 11)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.forums.models import Question

pytestmark = pytest.mark.django_db

NUL_URLS = [
    "/forum/search/?q=abc%00def",
    "/reports/downloads/1.csv%00",
    "/subscriptions/%00/confirm/",
    "/forum/?topic=energy%01",
    "/api/v1/questions/?search=a%1bb",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_a_control_character_in_the_address_gets_a_400_page(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response["Content-Type"] == "application/json"
        assert "control character" in response.json()["detail"]
    else:
        assert response["Content-Type"].startswith("text/html")
        assert b"control character" in response.content
        assert b"Community Impact Portal" in response.content


def test_a_control_character_in_a_parameter_name_is_refused_too(anonymous):
    assert anonymous.get("/forum/search/?q%00=water").status_code == 400


def test_newlines_and_tabs_in_the_address_are_refused(anonymous):
    assert anonymous.get("/forum/search/?q=abc%0Adef").status_code == 400
    assert anonymous.get("/forum/search/?q=abc%09def").status_code == 400


def test_ordinary_addresses_and_unicode_pass(anonymous):
    assert anonymous.get("/forum/search/?q=Wasser%C3%9F%20%E2%80%94%20gas").status_code == 200


def question_form(**changes):
    return {"title": "How many hours did the turbines run?", "body": "Details here.", "topic": "energy",
            "website": "", **changes}


def test_a_nul_in_a_posted_field_gets_a_400_and_stores_nothing(login, resident):
    client = login(resident)
    response = client.post("/forum/ask/", question_form(title="How many hours did the turbines\x00 run?"))
    assert response.status_code == 400
    assert b"Nothing was saved" in response.content
    assert not Question.objects.exists()


def test_an_escape_character_in_a_body_gets_a_400_and_stores_nothing(login, resident):
    client = login(resident)
    response = client.post("/forum/ask/", question_form(body="Colour \x1b[31mred\x1b[0m text"))
    assert response.status_code == 400
    assert not Question.objects.exists()


def test_line_breaks_and_tabs_in_a_body_are_fine(login, resident):
    client = login(resident)
    response = client.post("/forum/ask/", question_form(body="Line one\r\nLine two\n\tindented"))
    assert response.status_code == 302
    assert Question.objects.count() == 1


def test_a_control_character_in_a_multipart_field_is_refused_but_file_contents_are_not_read(login, resident):
    client = login(resident)
    refused = client.post("/forum/ask/", {**question_form(title="Turbine\x07 hours in July?")})
    assert refused.status_code == 400
    upload = SimpleUploadedFile("data.bin", b"\x00\x01\x02 binary is fine in a file", "application/octet-stream")
    # Multipart with a binary file and clean fields reaches the view (which ignores the file).
    accepted = client.post("/forum/ask/", {**question_form(), "attachment": upload})
    assert accepted.status_code == 302
    assert Question.objects.count() == 1


def test_a_control_character_in_a_urlencoded_api_post_gets_json(client):
    response = client.post("/api/v1/questions/", "title=a%00b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "control character" in response.json()["detail"]
