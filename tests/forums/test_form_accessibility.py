"""Forms residents fill in (issue 14, WCAG 2.1 AA): errors readable and linked to their fields, an error
summary to land on, Enter posts, date help that matches the date picker, a login page that says why.
The behaviour in a browser (focus, Enter, axe) is tested in tests/browser/test_forms.py."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from portal.forums.models import PostStatus

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "portal" / "core" / "static" / "core" / "site.css").read_text()


class Page(HTMLParser):
    """The elements of a page, in order: dicts with tag, attrs and the text inside them."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "area", "col", "wbr"}

    def __init__(self, html):
        super().__init__()
        self.elements, self.open = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        inside = {e["attrs"]["id"] for e in self.open if e["attrs"].get("id")}
        element = {"tag": tag, "attrs": dict(attrs), "text": "", "inside": inside}
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i]["tag"] == tag:
                del self.open[i:]
                break

    def handle_data(self, data):
        for element in self.open:
            element["text"] += data

    def by_id(self, id_):
        return next((e for e in self.elements if e["attrs"].get("id") == id_), None)

    def all(self, tag=None, **attrs):
        return [e for e in self.elements if (tag is None or e["tag"] == tag)
                and all(e["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def described_ids(self):
        return {i for e in self.elements for i in e["attrs"].get("aria-describedby", "").split()}


def relative_luminance(hex_colour):
    """WCAG 2.1 relative luminance of #rrggbb (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance)."""
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def css_variable(name):
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS).group(1)


def css_rule(selector):
    """The declarations of the first rule whose selector list is exactly ``selector``."""
    match = re.search(rf"(?:^|[}}\s]){re.escape(selector)}\s*\{{([^}}]*)\}}", CSS, re.M)
    assert match, f"site.css has no rule for {selector}"
    return match.group(1)


# --- contrast (WCAG 1.4.3) -------------------------------------------------------------------------


def test_error_text_is_readable_on_white_and_on_the_error_message_background():
    error = css_variable("error")
    message_background = re.search(r"\.messages li\.error\s*\{[^}]*background:\s*(#[0-9a-fA-F]{6})", CSS).group(1)
    assert "var(--error)" in css_rule(".errorlist")
    assert contrast(error, "#ffffff") >= 4.5
    assert contrast(error, message_background) >= 4.5
    # The old error colour, Okabe-Ito vermilion, stays the charts' --warn and is too light for text.
    assert round(contrast("#D55E00", "#ffffff"), 1) == 3.9


def test_warning_badges_are_written_in_the_error_colour_not_the_charts_vermilion():
    assert "var(--error)" in css_rule(".badge-warn")


def test_the_focus_outline_stands_out_from_what_it_touches():
    focus = css_variable("focus")
    for background in ("#ffffff", "#fdf1ea", "#f3f8fc"):
        assert contrast(focus, background) >= 3, background
    assert ":focus-visible" in CSS


def test_primary_buttons_have_readable_text_and_a_44_px_target():
    rule = css_rule("button")
    assert "min-height: 44px" in rule and "background: var(--accent)" in rule and "color: #fff" in rule
    assert contrast("#ffffff", css_variable("accent")) >= 4.5
    assert contrast("#ffffff", css_variable("accent-dark")) >= 4.5  # hovered


# --- errors linked to their fields (WCAG 1.3.1, 3.3.1) ---------------------------------------------


def assert_errors_are_wired(page):
    invalid = page.all(aria_invalid="true")
    assert invalid, "no field is marked aria-invalid"
    for field in invalid:
        described = field["attrs"].get("aria-describedby", "").split()
        name = field["attrs"]["id"]
        assert f"{name}_error" in described, f"{name}: its error is not in aria-describedby {described}"
        if page.by_id(f"{name}_helptext"):
            assert f"{name}_helptext" in described, f"{name}: its help text is not in aria-describedby"
    for error_list in page.all("ul", **{"class": "errorlist"}):
        assert error_list["attrs"].get("id") in page.described_ids(), f"error list {error_list['attrs']} is linked to nothing"
    for id_ in page.described_ids():
        assert page.by_id(id_), f"aria-describedby names {id_}, which is not on the page"


def summary_targets(page):
    """The fields the error summary's links go to, in order."""
    return [a["attrs"]["href"][1:] for a in page.all("a") if "error-summary" in a["inside"]
            and a["attrs"].get("href", "").startswith("#")]


def assert_summary(page):
    summary = page.by_id("error-summary")
    assert summary is not None, "no error summary at the top of the form"
    assert summary["attrs"].get("tabindex") == "-1", "the summary cannot take focus"
    assert summary["attrs"].get("role") == "alert"
    targets = summary_targets(page)
    for field in page.all(aria_invalid="true"):
        assert field["attrs"]["id"] in targets, f"the summary does not link to {field['attrs']['id']}"
    for target in targets:
        assert page.by_id(target), f"the summary links to #{target}, which is not on the page"


def test_the_ask_forms_errors_are_in_each_fields_description_and_in_a_summary(login, resident):
    response = login(resident).post("/forum/ask/", {"title": "", "body": "", "topic": "air", "website": ""})
    assert response.status_code == 400
    page = Page(response.content.decode())
    title = page.by_id("id_title")["attrs"]
    assert title["aria-invalid"] == "true"
    assert title["aria-describedby"].split() == ["id_title_helptext", "id_title_error"]
    assert_errors_are_wired(page)
    assert_summary(page)


def test_a_field_without_an_error_is_not_marked_invalid(login, resident):
    response = login(resident).post("/forum/ask/", {"title": "", "body": "Some details.", "topic": "air", "website": ""})
    page = Page(response.content.decode())
    assert "aria-invalid" not in page.by_id("id_body")["attrs"]
    assert page.by_id("id_body")["attrs"]["aria-describedby"] == "id_body_helptext"


def test_the_reply_forms_error_is_linked_and_summarised(login, question, another_resident):
    response = login(another_resident).post(f"/forum/questions/{question.pk}/reply/", {"body": ""})
    assert response.status_code == 400
    page = Page(response.content.decode())
    assert_errors_are_wired(page)
    assert_summary(page)


def test_the_flag_forms_radio_group_is_a_fieldset_described_by_its_error(login, question, another_resident):
    response = login(another_resident).post(f"/forum/question/{question.pk}/flag/", {"reason": "", "note": ""})
    assert response.status_code == 400
    page = Page(response.content.decode())
    fieldset = next(e for e in page.all("fieldset") if "id_reason_error" in e["attrs"].get("aria-describedby", ""))
    assert "What is wrong with it?" in next(e for e in page.all("legend"))["text"]
    radios = page.all("input", type="radio")
    assert radios and all(r["attrs"].get("aria-invalid") == "true" for r in radios)
    assert page.by_id("id_reason_error") and fieldset
    assert "id_reason_0" in summary_targets(page)


def test_sign_up_log_in_and_password_reset_errors_are_linked_and_summarised(anonymous, db):
    for url, data in (("/accounts/signup/", {"website": ""}), ("/accounts/login/", {}), ("/accounts/password/reset/", {})):
        page = Page(anonymous.post(url, data).content.decode())
        assert_errors_are_wired(page)
        assert_summary(page)


def test_a_login_error_that_belongs_to_no_field_is_in_the_summary(anonymous, resident):
    response = anonymous.post("/accounts/login/", {"username": "rosa", "password": "wrong password"})
    page = Page(response.content.decode())
    summary = page.by_id("error-summary")
    assert "do not match" in summary["text"] and summary["attrs"]["role"] == "alert"


def test_every_form_that_shows_its_own_errors_asks_the_browser_not_to_validate_first(client, question, another_resident):
    """The browser's bubbles vanish and are linked to nothing; the page's own errors stay and are linked."""
    pages = [client.get(url).content.decode() for url in ("/accounts/signup/", "/accounts/login/", "/accounts/password/reset/")]
    client.force_login(another_resident)
    pages += [client.get(url).content.decode() for url in (
        "/forum/ask/", question.get_absolute_url(), f"/forum/question/{question.pk}/flag/", "/accounts/password/change/")]
    buttons_only = ("/accounts/logout/", "/vote/", "/follow/", "/accounts/language/")  # forms with no field to fill in
    forms = [f for html in pages for f in Page(html).all("form", method="post")
             if not any(part in f["attrs"].get("action", "") for part in buttons_only)]
    assert len(forms) == 7
    assert [f for f in forms if "novalidate" not in f["attrs"]] == []


def test_the_error_script_is_a_file_every_page_loads(anonymous, db):
    html = anonymous.get("/accounts/login/").content.decode()
    assert re.search(r'<script src="/static/core/forms\.js" defer></script>', html)
    assert (ROOT / "portal" / "core" / "static" / "core" / "forms.js").exists()


# --- the ask form: Enter posts -----------------------------------------------------------------------


def test_the_ask_forms_first_submit_button_posts_the_question(login, resident):
    page = Page(login(resident).get("/forum/ask/").content.decode())
    form = next(f for f in page.all("form") if f["attrs"].get("method") == "post" and "novalidate" in f["attrs"])
    start = page.elements.index(form)
    buttons = [e for e in page.elements[start:] if e["tag"] == "button" and e["attrs"].get("type", "submit") == "submit"]
    assert buttons[0]["text"].strip() == "Post the question", "Enter in a field presses the form's first submit button"
    check = next(b for b in buttons if b["attrs"].get("name") == "check")
    assert "formnovalidate" in check["attrs"]


# --- date fields: the help says what the browser shows ---------------------------------------------


def test_date_fields_help_does_not_give_a_format_the_date_picker_does_not_show(login, resident):
    page = Page(login(resident).get("/forum/ask/").content.decode())
    dates = page.all("input", type="date")
    assert dates
    for field in dates:
        help_ = page.by_id(f"{field['attrs']['id']}_helptext")
        if help_:
            # Chromium shows mm/dd/yyyy in en-US, dd/mm/yyyy elsewhere: an ISO example misleads.
            assert not re.search(r"\d{4}-\d{2}-\d{2}", help_["text"]), help_["text"]
    assert "Pick a date" in page.by_id("id_window_start_helptext")["text"]


def test_dates_from_the_date_picker_are_still_accepted(login, resident):
    from portal.forums.models import Question

    login(resident).post("/forum/ask/", {
        "title": "Did the turbines run on the 15th of July?", "body": "Near Boxtown.", "topic": "air", "website": "",
        "window_start": "2024-07-15", "window_end": "2024-07-16"})
    assert str(Question.objects.get().window_start) == "2024-07-15"


# --- the login page says why -----------------------------------------------------------------------


def test_the_login_page_says_why_when_asking_needs_an_account(anonymous, db):
    response = anonymous.get("/forum/ask/", follow=True)
    html = response.content.decode()
    assert "Log in to ask a question." in html
    assert "No account? " in html and "it takes a minute" in html
    page = Page(html)
    signup = next(a for a in page.all("a") if a["attrs"].get("href", "").startswith("/accounts/signup/"))
    assert signup["attrs"]["href"] == "/accounts/signup/?next=/forum/ask/"


def test_the_login_page_explains_any_other_page_that_needs_an_account(anonymous, question):
    html = anonymous.get(f"/accounts/login/?next=/forum/question/{question.pk}/flag/").content.decode()
    assert "Log in to flag a post." in html
    html = anonymous.get("/accounts/login/?next=/accounts/profile/").content.decode()
    assert "Log in to continue to that page." in html


def test_the_login_page_without_next_shows_no_explanation(anonymous, db):
    html = anonymous.get("/accounts/login/").content.decode()
    assert "Log in to" not in html


def test_an_unsafe_next_is_not_passed_on_to_sign_up(anonymous, db):
    html = anonymous.get("/accounts/login/?next=https://evil.example/").content.decode()
    assert "evil.example" not in html


def test_the_sign_up_page_keeps_next_on_its_log_in_link(anonymous, db):
    page = Page(anonymous.get("/accounts/signup/?next=/forum/ask/").content.decode())
    assert any(a["attrs"].get("href") == "/accounts/login/?next=/forum/ask/" for a in page.all("a"))


@pytest.fixture(autouse=True)
def _db(db):
    """Every page here reads the database (sessions, questions)."""


# --- "Check for similar questions" with a title the form refuses ---------------------------------


@pytest.mark.parametrize("title", ["", "Gas?"], ids=["empty", "too-short"])
def test_checking_for_similar_questions_with_an_invalid_title_shows_the_titles_error(login, resident, title):
    response = login(resident).post("/forum/ask/", {"title": title, "body": "", "topic": "air", "website": "", "check": "1"})
    page = Page(response.content.decode())
    field = page.by_id("id_title")["attrs"]
    assert field.get("aria-invalid") == "true", "the title is not marked invalid"
    assert field["aria-describedby"].split() == ["id_title_helptext", "id_title_error"]
    assert page.by_id("id_title_error")["text"].strip(), "no error text under the title"
    assert_errors_are_wired(page)
    assert_summary(page)
    assert summary_targets(page) == ["id_title"], "only the title is checked: the details may still be empty"


def test_checking_a_valid_title_shows_no_error_even_with_empty_details(login, resident):
    response = login(resident).post("/forum/ask/", {"title": "How much gas do the turbines burn?", "body": "",
                                                   "topic": "air", "website": "", "check": "1"})
    page = Page(response.content.decode())
    assert page.by_id("error-summary") is None
    assert "aria-invalid" not in page.by_id("id_title")["attrs"]


# --- the subscription and the appeal answer like the other forms ----------------------------------


@pytest.mark.parametrize("email", ["", "rosa@b"], ids=["empty", "server-refuses"])
def test_a_refused_subscription_shows_its_error_linked_to_the_address_field(anonymous, facility, email):
    response = anonymous.post(f"/facilities/{facility.slug}/subscribe/", {"email": email, "website": ""})
    assert response.status_code == 400, "the facility page again, with the error, not a redirect"
    page = Page(response.content.decode())
    assert page.by_id("id_email")["attrs"].get("aria-invalid") == "true"
    if email:
        assert page.by_id("id_email")["attrs"]["value"] == email, "what was typed stays"
    assert_errors_are_wired(page)
    assert_summary(page)
    form = next(f for f in page.all("form") if f["attrs"].get("action", "").endswith("/subscribe/"))
    assert "novalidate" in form["attrs"], "the site's linked errors, not the browser's bubble"


def test_an_empty_appeal_shows_its_error_linked_to_the_text_field(login, resident, make_question):
    question = make_question(resident, status=PostStatus.REJECTED, reason="spam")
    client = login(resident)
    page = Page(client.get(question.get_absolute_url()).content.decode())
    form = next(f for f in page.all("form") if "/appeal/" in f["attrs"].get("action", ""))
    assert "novalidate" in form["attrs"]
    response = client.post(f"/forum/question/{question.pk}/appeal/", {"text": "  "})
    assert response.status_code == 400, "the question page again, with the error, not a redirect"
    page = Page(response.content.decode())
    invalid = page.all(aria_invalid="true")
    assert [f["tag"] for f in invalid] == ["textarea"]
    assert_errors_are_wired(page)
    assert_summary(page)
    question.refresh_from_db()
    assert question.appealed_at is None
