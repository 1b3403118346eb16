"""The public forms in Chromium at 390 CSS px (issue 14): each submitted empty moves focus to its error
summary or its first invalid field, every error is linked to its field by aria-describedby and axe
finds nothing on the error state; Enter in the ask form's title posts the question; buttons are
44 px targets; focus is visible; the login page says why it was reached.
The markup behind these is tested without a browser in tests/forums/test_form_accessibility.py."""

import json
import re

import pytest

from .conftest import axe_violations, screenshot

pytestmark = pytest.mark.browser

WIDTH = 390
ROSA = ("rosa", "a long resident password 1")

# A rejected question of Rosa's, so that she has a post to appeal.
REJECTED = """
import json
from django.contrib.auth import get_user_model
from portal.forums.models import PostStatus, Question
rosa = get_user_model().objects.get(username="rosa")
question = Question.objects.create(
    author=rosa, title="Cheap generators for sale, call today", body="Call now.", body_html="<p>Call now.</p>",
    topic="other", status=PostStatus.REJECTED, reason="spam")
print(json.dumps({"url": question.get_absolute_url()}))
"""


@pytest.fixture(scope="module")
def rejected_url(site):
    return json.loads(site.manage("shell", "-c", REJECTED).strip().splitlines()[-1])["url"]


def sign_in(page, site, next_path=""):
    """Log Rosa in through the login form, as a resident would."""
    page.goto(site.base + "/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", ROSA[0])
    page.fill("#id_password", ROSA[1])
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert "/accounts/login/" not in page.url, page.inner_text("main")


def focused(page):
    """What has the focus: {id, tag, invalid, summary (inside the error summary), alert (a message)}."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        return {id: el.id, tag: el.tagName.toLowerCase(), invalid: el.getAttribute('aria-invalid') === 'true',
                alert: el.getAttribute('role') === 'alert'};
    }""")


def unlinked_errors(page):
    """Everything wrong with how the page's errors are wired; [] when each error is linked."""
    return page.evaluate("""() => {
        const problems = [];
        const described = el => ((el.closest('fieldset[aria-describedby]') && !el.hasAttribute('aria-describedby')
            ? el.closest('fieldset') : el).getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
        const invalid = [...document.querySelectorAll('[aria-invalid="true"]')];
        if (!invalid.length) problems.push('no field is marked aria-invalid');
        for (const field of invalid) {
            const ids = described(field), base = field.type === 'radio' ? field.name && field.id.replace(/_\\d+$/, '') : field.id;
            if (!ids.includes(base + '_error')) problems.push(field.id + ': its error is not in aria-describedby ' + ids);
            if (document.getElementById(base + '_helptext') && !ids.includes(base + '_helptext'))
                problems.push(field.id + ': its help text is not in aria-describedby');
            for (const id of ids) {
                const target = document.getElementById(id);
                if (!target) problems.push(field.id + ': aria-describedby names ' + id + ', which is not on the page');
                else if (id.endsWith('_error') && !target.textContent.trim()) problems.push(id + ' is empty');
            }
        }
        const all = [...document.querySelectorAll('[aria-describedby]')].flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/));
        for (const list of document.querySelectorAll('.errorlist[id]'))
            if (!all.includes(list.id)) problems.push('the error ' + list.id + ' is linked to no field');
        return problems;
    }""")


def submit_empty(page, button, reloads):
    if reloads:
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()
    else:
        # The browser's own check stops the form (the field is required); forms.js links its message.
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_selector("[aria-invalid='true']")


# name: (signed in, path of the form's page, its submit button, whether the page is re-rendered)
FORMS = {
    "sign-up": (False, lambda site, extra: "/accounts/signup/", "Create account", True),
    "log-in": (False, lambda site, extra: "/accounts/login/", "Log in", True),
    "password-reset": (False, lambda site, extra: "/accounts/password/reset/", "Send the link", True),
    "subscribe": (False, lambda site, extra: f"/facilities/{site.seed['facility']}/", "Subscribe", True),
    "ask": (True, lambda site, extra: "/forum/ask/", "Post the question", True),
    "reply": (True, lambda site, extra: site.seed["question_url"], "Post the reply", True),
    "flag": (True, lambda site, extra: f"/forum/question/{site.seed['question']}/flag/", "Send the flag", True),
    "appeal": (True, lambda site, extra: extra, "Send the appeal", True),
}


@pytest.mark.parametrize("name", FORMS)
def test_a_form_submitted_empty_focuses_its_errors_and_links_each_to_its_field(site, page_at, rejected_url, name):
    signed_in, path, button, reloads = FORMS[name]
    page = page_at(WIDTH)
    if signed_in:
        sign_in(page, site)
    page.goto(site.base + path(site, rejected_url))
    submit_empty(page, button, reloads)
    where = focused(page)
    assert where["id"] == "error-summary" or where["invalid"], f"focus is on {where}, not on the errors"
    assert unlinked_errors(page) == []
    if reloads:
        summary = page.locator("#error-summary")
        assert summary.is_visible() and "There is a problem" in summary.inner_text()
    violations = axe_violations(page)
    screenshot(page, f"form-{name}-errors-{WIDTH}")
    assert violations == [], "\n".join(f"{rule} ({impact}): {targets}" for rule, impact, targets in violations)


def test_a_summary_link_takes_the_keyboard_to_its_field(site, page_at):
    page = page_at(WIDTH)
    page.goto(site.base + "/accounts/signup/")
    submit_empty(page, "Create account", True)
    page.keyboard.press("Tab")  # from the focused summary to its first link
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_email"


def test_a_subscription_the_server_refuses_focuses_its_summary_and_links_its_error(site, page_at):
    """"rosa@b" passes the browser's check but not the server's: its error is linked like any other."""
    page = page_at(WIDTH)
    page.goto(site.base + f"/facilities/{site.seed['facility']}/")
    page.fill("#id_email", "rosa@b")
    with page.expect_navigation():
        page.get_by_role("button", name="Subscribe").click()
    assert focused(page)["id"] == "error-summary"
    assert "valid email address" in page.inner_text("#id_email_error")
    assert page.input_value("#id_email") == "rosa@b", "what was typed stays"
    assert unlinked_errors(page) == []


def test_enter_in_the_title_field_posts_the_question(site, page_at):
    page = page_at(WIDTH)
    sign_in(page, site)
    page.goto(site.base + "/forum/ask/")
    page.fill("#id_title", "Were the turbines running on the night of 15 July?")
    page.fill("#id_body", "We heard them from Boxtown after midnight.")
    page.fill("#id_window_start", "2024-07-15")  # what the date picker sends, whatever it displays
    page.focus("#id_title")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/forum/questions/\d+/", page.url), f"Enter did not post the question: {page.url}"
    text = page.inner_text("main") + page.inner_text("body")
    assert "Thank you. Your question" in text
    assert "15 July 2024" in text or "2024-07-15" in text


def test_the_check_button_still_lists_similar_questions_without_posting(site, page_at):
    page = page_at(WIDTH)
    sign_in(page, site)
    page.goto(site.base + "/forum/ask/")
    page.fill("#id_title", "How many hours did the turbines run?")
    with page.expect_navigation():
        page.get_by_role("button", name="Check for similar questions").click()
    assert page.url.endswith("/forum/ask/")
    assert "How many hours did the turbines run in July?" in page.inner_text("#similar-questions")
    assert page.input_value("#id_title") == "How many hours did the turbines run?"


def button_box(page, name):
    box = page.get_by_role("button", name=name, exact=True).bounding_box()
    style = page.get_by_role("button", name=name, exact=True).evaluate(
        "b => { const s = getComputedStyle(b); return [s.backgroundColor, s.borderTopWidth, s.color]; }")
    return box, style


FILLED = "rgb(0, 114, 178)"  # --accent


def test_buttons_are_44_px_targets_filled_for_the_main_action_outlined_for_the_others(site, page_at):
    page = page_at(WIDTH)
    for path, name in (("/accounts/login/", "Log in"), ("/accounts/signup/", "Create account"),
                       (f"/facilities/{site.seed['facility']}/", "Subscribe")):
        page.goto(site.base + path)
        box, style = button_box(page, name)
        assert box["height"] >= 44 and style[0] == FILLED, (path, box, style)
    sign_in(page, site)
    page.goto(site.base + "/forum/ask/")
    (post, post_style), (check, check_style) = button_box(page, "Post the question"), button_box(page, "Check for similar questions")
    assert post["height"] >= 44 and post["width"] >= 44
    assert post_style[0] == FILLED and post_style[2] == "rgb(255, 255, 255)", post_style
    assert check["height"] >= 44
    assert check_style[0] == "rgb(255, 255, 255)" and check_style[1] == "2px", check_style
    page.goto(site.base + site.seed["question_url"])
    box, style = button_box(page, "Post the reply")
    assert box["height"] >= 44 and style[0] == FILLED


def parse_rgb(css):
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", css)[:3])


def luminance(rgb):
    r, g, b = (c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a, b):
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def tab_to(page, selector, presses=300):
    """Press Tab until something matching ``selector`` has the focus (as a keyboard user would)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def focus_ring(page):
    """The focused element's outline (style, width px, colour) and the background colour behind it."""
    return page.evaluate("""() => {
        const el = document.activeElement, s = getComputedStyle(el);
        let bg = 'rgb(255, 255, 255)';
        for (let p = el.parentElement; p; p = p.parentElement) {
            const c = getComputedStyle(p).backgroundColor;
            if (c && c !== 'transparent' && !c.startsWith('rgba(0, 0, 0, 0')) { bg = c; break; }
        }
        return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor, bg];
    }""")


@pytest.mark.parametrize("what, path, selector", [
    ("link", lambda seed: "/forum/", "main a"),
    ("button", lambda seed: f"/facilities/{seed['facility']}/", "button"),
    ("input", lambda seed: "/accounts/login/", "input#id_username"),
    ("summary", lambda seed: seed["version_url"], "summary"),
    ("table-scroll", lambda seed: "/reports/", ".table-scroll"),
])
def test_keyboard_focus_is_visible(site, page_at, what, path, selector):
    page = page_at(WIDTH)
    page.goto(site.base + path(site.seed))
    tab_to(page, selector)
    style, width, colour, background = focus_ring(page)
    assert style == "solid" and width >= 2, f"{what}: outline {style} {width}px"
    assert ratio(parse_rgb(colour), parse_rgb(background)) >= 3, f"{what}: {colour} on {background}"


def test_asking_while_signed_out_explains_the_login_and_keeps_where_you_were_going(site, page_at):
    page = page_at(WIDTH)
    page.goto(site.base + "/forum/")
    with page.expect_navigation():
        page.get_by_role("link", name="Ask a question").click()
    assert "/accounts/login/" in page.url and "next=" in page.url
    text = page.inner_text("main")
    assert "Log in to ask a question." in text and "No account? Create one" in text
    with page.expect_navigation():
        page.get_by_role("link", name="Create one").click()
    assert page.url.endswith("/accounts/signup/?next=/forum/ask/")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Log in").click()
    assert page.url.endswith("/accounts/login/?next=/forum/ask/")
    page.fill("#id_username", ROSA[0])
    page.fill("#id_password", ROSA[1])
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.url.endswith("/forum/ask/")
