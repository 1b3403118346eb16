"""English and Spanish (issue 14): the visitor's language from the switcher's cookie, else the
browser's Accept-Language, else English; one cached copy of a page per language; a signed-in
person's choice kept on the account. Untranslated text and the catalogue: tests/test_i18n_coverage.py."""

import re

import polib
import pytest
from django.conf import settings
from django.test import Client

from impact import services as impact_services


@pytest.fixture
def version(synthetic_run, analyst):
    version, _ = impact_services.publish_run(synthetic_run(), user=analyst)
    return version


def spanish_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def test_a_browser_that_asks_for_spanish_gets_the_page_in_spanish(db, client):
    response = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9,en;q=0.5")
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert response["Content-Language"] == "es"
    assert "Informes publicados" in page


def test_english_stays_the_default(db, client):
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}):
        response = client.get("/reports/", **headers)
        assert '<html lang="en">' in response.content.decode()
        assert response["Content-Language"] == "en"
        assert "Published reports" in response.content.decode()


def test_the_switchers_cookie_beats_accept_language(db, client):
    response = client.post("/accounts/language/", {"language": "es", "next": "/reports/"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == "/reports/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert '<html lang="es">' in page
    client.post("/accounts/language/", {"language": "en", "next": "/reports/"})
    assert '<html lang="en">' in client.get("/reports/", HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_the_switcher_is_on_every_page_and_works_without_javascript(db, client):
    page = client.get("/forum/meetings/").content.decode()
    assert 'action="/accounts/language/"' in page
    assert '<input type="hidden" name="next" value="/forum/meetings/">' in page
    assert 'name="language" value="en" lang="en"' in page and ">English</button>" in page
    assert 'name="language" value="es" lang="es"' in page and ">Español</button>" in page


def test_the_switcher_refuses_a_language_the_site_does_not_offer(db, client):
    # Django has a French catalogue of its own; the site does not offer French.
    response = client.post("/accounts/language/", {"language": "fr", "next": "/reports/"})
    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def test_a_signed_in_residents_choice_is_kept_on_the_account(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    page = client.get("/forum/")
    token = page.context["csrf_token"]
    response = client.post("/accounts/language/", {"language": "es", "next": "/forum/", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.language == "es"


def test_a_forged_switch_does_not_change_a_signed_in_residents_account(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post("/accounts/language/", {"language": "es", "next": "/forum/"})
    assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.language == "en"


def test_sign_up_keeps_the_pages_language_on_the_new_account(db, client, mailoutbox, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
        "/accounts/signup/",
            {"email": "lucia@example.org", "display_name": "Lucía", "password1": "un caballo correcto batería grapa",
             "password2": "un caballo correcto batería grapa", "neighbourhood": ""},
            HTTP_ACCEPT_LANGUAGE="es",
        )
    user = get_user_model().objects.get(email="lucia@example.org")
    assert user.language == "es"
    assert "Confirme su dirección de correo electrónico" in mailoutbox[0].subject


def test_an_english_and_a_spanish_visitor_each_get_their_own_cached_copy(version, django_assert_num_queries):
    english, spanish = Client(), Client(HTTP_ACCEPT_LANGUAGE="es")
    first_en = english.get("/reports/")
    first_es = spanish.get("/reports/")
    assert first_en.content != first_es.content
    with django_assert_num_queries(0):
        again_es = spanish.get("/reports/")
        again_en = english.get("/reports/")
    assert again_es.content == first_es.content and '<html lang="es">' in again_es.content.decode()
    assert again_en.content == first_en.content and '<html lang="en">' in again_en.content.decode()
    assert "Accept-Language" in again_es["Vary"] and "Cookie" in again_es["Vary"]


# --- The catalogue --------------------------------------------------------------------------------

CATALOGUE = settings.BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def test_every_entry_of_the_spanish_catalogue_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))
    assert len(catalogue) > 500
    assert not catalogue.fuzzy_entries(), [e.msgid for e in catalogue.fuzzy_entries()]
    assert not catalogue.untranslated_entries(), [e.msgid for e in catalogue.untranslated_entries()]
    assert not catalogue.obsolete_entries()


def test_every_translation_keeps_the_placeholders_of_its_english():
    wrong = []
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        wrong += [msgid for msgid, msgstr in pairs if placeholders(msgid) != placeholders(msgstr)]
    assert not wrong


def test_the_catalogue_compiles_and_django_reads_the_spanish(tmp_path):
    from django.utils import translation

    from portal.core.management.commands.compile_locales import compile_catalogue

    copy = tmp_path / "django.po"
    copy.write_bytes(CATALOGUE.read_bytes())
    assert compile_catalogue(copy)
    assert polib.mofile(str(copy.with_suffix(".mo"))).find("Published reports").msgstr == "Informes publicados"
    with translation.override("es"):
        assert translation.gettext("Community Impact Portal") == "Portal de Impacto Comunitario"
