"""No English left on a Spanish page (issue 14): every public page is rendered in English and in
Spanish, and any text that reads the same in both and holds an English word is untranslated.

It lives with the forum's tests for their seed fixtures (a question with an official answer and a
reply, a meeting); the report comes from tests/conftest.py's synthetic_run.

What is skipped, and why:
- script, style, code and pre: not prose.
- ``translate="no"``: what people wrote (titles, posts, names, places), shown as written.
- an element whose ``lang`` differs from the page's: the switcher names each language in itself,
  and a chart drawn before its run had Spanish charts is shown in English, marked ``lang="en"``.

Text that impact/*.py writes (summary sentences, metric labels, chart titles, alt text; marked
``data-i18n-from="impact"`` in the templates) is held to the same rule: its catalogue is
impact/locale. SKIP_MARKERS is the place for a marker that should be left out, with its reason.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from impact import services as impact_services
from portal.forums import services

# The worker draws the Spanish charts these tests read (tests/conftest.py chart_languages).
pytestmark = pytest.mark.every_chart_language

SKIP_TAGS = {"script", "style", "code", "pre"}
SKIP_MARKERS = ()
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")
# Words that are the same in both languages: proper names, abbreviations, units, formats.
SAME_IN_BOTH = {
    "api", "atom", "btu", "carlo", "cdt", "cst", "co", "csv", "ch", "ghg", "gwp", "hhv", "ics", "json",
    "kwh", "lhv", "markdown", "mmbtu", "monte", "mw", "mwh", "nox", "png", "pue", "sha", "spearman", "svg",
    "tdp", "tn", "utc", "wue", "zip", "memphis", "test", "hall", "tester", "america", "chicago",
    "boxtown", "westwood", "am", "pm", "kb", "bytes", "rest",
    # Chemical symbols (NOₓ reads "NO", SO₂ "SO"), citations and units written as in the sources.
    "no", "so", "voc", "cfr", "ap", "egrid", "srtv", "lb", "kg", "scf", "ar", "gal",
    # Spanish spells these the same.
    "central", "gas", "total",
}


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and the attributes read aloud, outside skipped parts."""

    def __init__(self, page_language):
        super().__init__(convert_charrefs=True)
        self.page_language = page_language
        self.stack = []  # (tag, skipped) of open elements
        self.texts = []

    @property
    def skipping(self):
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = (
            tag in SKIP_TAGS
            or attrs.get("translate") == "no"
            or any(marker in attrs for marker in SKIP_MARKERS)
            or attrs.get("lang", self.page_language) != self.page_language
            or "hidden" in attrs
        )
        if not (skipped or self.skipping):
            self.texts += [attrs[name] for name in ATTRIBUTES if attrs.get(name)]
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skipping:
            self.texts.append(text)


def visible_texts(html, language):
    parser = VisibleText(language)
    parser.feed(html)
    return parser.texts


def staff_written_words():
    """Words of what staff typed into the facility model (names, assumption labels, citations, units):
    data shown as written, like posts, though a browser may still offer to translate it."""
    from django.apps import apps
    from django.db import models

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    found = set()
    # A run shows its inputs as they were frozen when it was queued (names, labels, citations), and
    # its result names them again (generator groups, grid bases).
    for frozen in apps.get_model("impact", "ReportRun").objects.values_list("input_snapshot", "summary"):
        found |= {w.lower() for text in strings(list(frozen)) for w in re.findall(r"[A-Za-z]{2,}", text)}
    for model in apps.get_app_config("impact").get_models():
        if model.__name__.startswith("Report"):
            continue
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        for row in model.objects.values_list(*fields) if fields else ():
            found |= {w.lower() for value in row if value for w in re.findall(r"[A-Za-z]{2,}", str(value))}
    return found


def english_words(text, allowed=frozenset()):
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w.lower() not in SAME_IN_BOTH and w.lower() not in allowed]


def untranslated(client, url):
    """Text nodes of ``url`` that read the same in English and in Spanish and hold an English word."""
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert english.status_code == spanish.status_code, url
    assert '<html lang="es">' in spanish.content.decode(), url
    same = set(visible_texts(english.content.decode(), "en"))
    allowed = staff_written_words()
    return sorted({t for t in visible_texts(spanish.content.decode(), "es") if t in same and english_words(t, allowed)})


@pytest.fixture
def site(synthetic_run, analyst, resident, another_resident, staff_member, make_question, make_reply, make_meeting):
    """A published report; a question with an official answer and a reply, another still waiting;
    a meeting with a question submitted for it."""
    version, _ = impact_services.publish_run(synthetic_run(), user=analyst)
    answered = make_question(resident, title="How many hours did the turbines run in July?")
    services.answer_question(answered, staff_member, "They ran **310 hours**.")
    make_reply(answered, another_resident, body="Thank you for asking.")
    meeting = make_meeting()
    waiting = make_question(another_resident, title="Will there be a public meeting about water use?", meeting=meeting)
    return {"version": version, "answered": answered, "waiting": waiting, "meeting": meeting}


def public_pages(site):
    return [
        "/", "/glossary/", "/feeds/reports/", "/feeds/answers/", "/reports/", site["version"].get_absolute_url(), site["version"].report.facility.get_absolute_url(), "/methods/",
        "/forum/", "/forum/?state=answered&sort=votes", site["answered"].get_absolute_url(), site["waiting"].get_absolute_url(),
        "/forum/meetings/", site["meeting"].get_absolute_url(), "/forum/stats/", "/forum/moderation/report/",
        "/forum/search/?q=turbines", "/accounts/login/", "/accounts/login/?next=/forum/ask/", "/accounts/signup/",
        "/accounts/signup/done/", "/accounts/password/reset/", "/accounts/password/reset/sent/", "/no-such-page/",
    ]


def test_no_public_page_shows_english_text_to_a_spanish_reader(site):
    client = Client()
    found = {url: texts for url in public_pages(site) if (texts := untranslated(client, url))}
    assert not found, "untranslated text (page: text nodes): " + repr(found)


def test_no_page_of_a_signed_in_resident_shows_english_text_to_a_spanish_reader(site, resident, login):
    client = login(resident)
    pages = ["/forum/ask/", "/accounts/profile/", site["answered"].get_absolute_url(), site["meeting"].get_absolute_url(),
             f"/forum/question/{site['waiting'].pk}/flag/", "/accounts/password/change/"]
    found = {url: texts for url in pages if (texts := untranslated(client, url))}
    assert not found, "untranslated text (page: text nodes): " + repr(found)


def test_a_form_with_errors_shows_them_in_spanish(db, client):
    english = client.post("/accounts/signup/", {"email": "not an address"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.post("/accounts/signup/", {"email": "not an address"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "There is a problem" in english and "Hay un problema" in spanish
    same = set(visible_texts(english, "en"))
    assert not [t for t in visible_texts(spanish, "es") if t in same and english_words(t)]


def test_the_check_finds_an_untranslated_string():
    """The test above can fail: a paragraph left in English on a Spanish page is reported."""
    english = '<html lang="en"><p>Hello</p><p translate="no">Rosa P.</p><p>2024</p></html>'
    spanish = '<html lang="es"><p>Hello</p><p translate="no">Rosa P.</p><p>2024</p></html>'
    same = set(visible_texts(english, "en"))
    assert [t for t in visible_texts(spanish, "es") if t in same and english_words(t)] == ["Hello"]


def test_no_forum_page_of_a_moderator_or_the_answering_staff_shows_english_text_to_a_spanish_reader(site, moderator, staff_member, login, make_question, resident):
    pending = make_question(resident, title="Is the water use reported monthly?", status="pending")
    found = {}
    for person, pages in ((moderator, ["/forum/moderation/", "/forum/moderation/log/", pending.get_absolute_url()]),
                          (staff_member, [f"/forum/questions/{site['waiting'].pk}/answer/"])):
        client = login(person)
        found.update({url: texts for url in pages if (texts := untranslated(client, url))})
    assert not found, "untranslated text (page: text nodes): " + repr(found)
