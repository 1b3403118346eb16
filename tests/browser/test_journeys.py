"""Whole journeys through the portal in Chromium at 390 CSS px (issue 14): each page on the way has no
WCAG 2.1 A/AA violation axe-core can find and does not scroll sideways.

1. A resident reads the published report, asks about one of its charts, signs up on the way, confirms
   the e-mailed link, signs in, lands back on the ask form (next kept), asks, and votes on another question.
2. A moderator signs in with a password and a TOTP code and approves that question from the queue.
3. Staff give the official answer; the resident gets the answer e-mail; the question shows as answered.
4. The ask journey by keyboard alone: at each Tab the focused element is on screen and outlined.

The journeys run in this order and each starts where the one before left the site (JOURNEY)."""

import re
import time

import pytest

from .conftest import axe_violations, horizontal_overflow, wider_than_viewport

pytestmark = pytest.mark.browser

WIDTH = 390
RESIDENT = {"email": "dana@example.org", "display_name": "Dana", "neighbourhood": "Westwood",
            "password": "a long new resident password 7"}
TITLE = "Why does the generator output chart peak in the evening?"
JOURNEY = {}  # what a journey leaves for the next: the question's URL


def check(page, step):
    """The page at this step: no axe violation, nothing wider than the viewport."""
    violations = axe_violations(page)
    assert violations == [], f"{step}: " + "\n".join(f"{rule} ({impact}): {targets}" for rule, impact, targets in violations)
    assert horizontal_overflow(page) == 0, f"{step} scrolls sideways: {wider_than_viewport(page)}"


def mails_to(site, address):
    """The bodies of the e-mails sent to ``address`` so far (the file backend: one file per connection)."""
    found = []
    for path in site.mails():
        for message in path.read_text().split("-" * 79):
            if re.search(rf"^To: .*{re.escape(address)}", message, re.M):
                found.append(message)
    return found


def totp_code(site, username):
    """The current code of the user's TOTP device, as an authenticator app shows it."""
    from django_otp.oath import TOTP

    return f"{TOTP(bytes.fromhex(site.seed['totp_keys'][username])).token():06d}"


def staff_sign_in(page, site, username, password, next_path):
    page.goto(site.base + next_path)
    assert "/admin/login/" in page.url, f"{next_path} did not ask {username} to sign in: {page.url}"
    check(page, "the staff sign-in page")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    if page.locator("#id_otp_device").count():
        page.select_option("#id_otp_device", index=1)
    page.fill("#id_otp_token", totp_code(site, username))
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert next_path in page.url, f"{username} did not reach {next_path}: {page.url} {page.inner_text('body')[:300]}"


def test_a_resident_reads_the_report_signs_up_asks_about_a_chart_and_votes(site, page_at):
    page = page_at(WIDTH)
    page.goto(site.base + site.seed["version_url"])
    check(page, "the report version")
    ask = page.get_by_role("link", name="Ask a question about this chart").first
    chart = re.search(r"chart=([\w-]+)", ask.get_attribute("href")).group(1)
    # Focus and Enter, not a click: the report's lazy chart images load as the page scrolls and move
    # the link under the pointer (a click then lands on a chart's "Data behind this chart" toggle).
    ask.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" in page.url and "Log in to ask a question." in page.inner_text("main")
    check(page, "the login page")
    with page.expect_navigation():
        page.get_by_role("link", name="Create one").click()
    check(page, "the sign-up page")
    page.fill("#id_email", RESIDENT["email"])
    page.fill("#id_display_name", RESIDENT["display_name"])
    page.fill("#id_neighbourhood", RESIDENT["neighbourhood"])
    page.fill("#id_password1", RESIDENT["password"])
    page.fill("#id_password2", RESIDENT["password"])
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    assert "Check your e-mail" in page.inner_text("main")
    check(page, "the page after sign-up")

    [mail] = mails_to(site, RESIDENT["email"])
    link = re.search(r"http://\S+/accounts/verify/\S+", mail).group(0)
    page.goto(link)
    assert "your e-mail address is confirmed" in page.inner_text("body")
    check(page, "the login page after the link")
    page.fill("#id_username", RESIDENT["email"])
    page.fill("#id_password", RESIDENT["password"])
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    # Back where the resident was going: the ask form, about that chart of that report.
    assert "/forum/ask/" in page.url, f"next was lost: {page.url}"
    assert page.input_value("#id_chart_key") == chart
    assert page.input_value("#id_report_version") == str(site.seed["version"])
    check(page, "the ask form")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", "From Westwood we see the output rise after 6 pm. Is that the cooling load?")
    with page.expect_navigation():
        page.get_by_role("button", name="Post the question").click()
    assert re.search(r"/forum/questions/\d+/", page.url), page.url
    assert "waits for a moderator's review" in page.inner_text("body")
    check(page, "the pending question")
    JOURNEY["question_url"] = page.url.removeprefix(site.base)

    page.goto(site.base + site.seed["question_url"])
    with page.expect_navigation():
        page.get_by_role("button", name="I have this question too").click()
    assert page.get_by_role("button", name="Withdraw “I have this question too”").is_visible()
    check(page, "the question voted on")


def test_a_moderator_signs_in_with_a_totp_code_and_approves_the_question(site, page_at):
    assert "question_url" in JOURNEY, "the resident's journey did not leave a question to approve"
    page = page_at(WIDTH)
    staff_sign_in(page, site, "mo", "a long moderator password 1", "/forum/moderation/")
    check(page, "the moderation queue")
    page.get_by_label(f"Select question {TITLE}").check()
    page.select_option("#id_action", "approve")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to ticked posts").click()
    check(page, "the queue after the decision")
    assert TITLE not in page.inner_text("table >> nth=0"), "the question is still waiting"
    anonymous = page_at(WIDTH)
    response = anonymous.goto(site.base + JOURNEY["question_url"])
    assert response.status == 200 and TITLE in anonymous.inner_text("h1")
    JOURNEY["approved"] = True


def test_staff_answer_the_question_and_the_resident_is_told_by_e_mail(site, page_at):
    assert JOURNEY.get("approved"), "the moderator's journey did not publish the question"
    pk = re.search(r"/forum/questions/(\d+)/", JOURNEY["question_url"]).group(1)
    page = page_at(WIDTH)
    staff_sign_in(page, site, "sam", "a long staff password 1", f"/forum/questions/{pk}/answer/")
    check(page, "the answer form")
    page.fill("#id_body", "The cooling plant works hardest in the evening heat; see the report's cooling chart.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    assert "The answer is published." in page.inner_text("body")
    check(page, "the answered question")

    for _ in range(20):  # the answer e-mail is sent when the answer commits; allow the file a moment
        answers = [m for m in mails_to(site, RESIDENT["email"]) if "/accounts/verify/" not in m]
        if answers:
            break
        time.sleep(0.25)
    assert answers and TITLE in answers[0], "the resident got no answer e-mail"
    resident = page_at(WIDTH)
    resident.goto(site.base + "/forum/?state=answered")
    assert TITLE in resident.inner_text("main"), "the question is not listed as answered"
    resident.goto(site.base + JOURNEY["question_url"])
    assert "Official answer" in resident.inner_text("main")
    check(page, "the answered question, as a visitor sees it")


FOCUS = """() => {
    const el = document.activeElement, r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'), text: (el.innerText || el.value || '').trim().slice(0, 60),
            href: el.getAttribute('href'), visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
            r.top < innerHeight && r.left < innerWidth, outline: [s.outlineStyle, s.outlineWidth, s.outlineColor]};
}"""
SITE_OUTLINE = ["solid", "3px", "rgb(0, 114, 178)"]  # site.css :focus-visible, --focus #0072B2


def focus_of(page, step):
    where = page.evaluate(FOCUS)
    assert where["tag"] != "body", f"{step}: nothing has the focus"
    assert where["visible"], f"{step}: the focused {where} is off screen"
    assert where["outline"] == SITE_OUTLINE, f"{step}: the focused {where} lacks the site's focus outline"
    return where


def tab_to(page, wanted, step, limit=80):
    """Tab (checking each stop) until ``wanted(focus)``; the focus it ends on."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            continue  # past the last element the focus leaves the page (the browser's own controls)
        where = focus_of(page, step)
        if wanted(where):
            return where
    raise AssertionError(f"{step}: {limit} Tabs never reached it")


def test_the_ask_journey_by_keyboard_alone(site, page_at):
    page = page_at(WIDTH)
    page.goto(site.base + "/accounts/login/?next=/forum/")
    # The login form puts the focus in its first field (Django's autofocus); Tab round to it anyway.
    assert focus_of(page, "login: on arrival")["id"] == "id_username"
    tab_to(page, lambda f: f["id"] == "id_username", "login: round the page to the user name")
    page.keyboard.type("kim")
    page.keyboard.press("Tab")
    assert focus_of(page, "login: the password")["id"] == "id_password"
    page.keyboard.type("a long resident password 2")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/forum/"), page.url

    tab_to(page, lambda f: f["href"] == "/forum/ask/", "forum: to 'Ask a question'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/forum/ask/" in page.url
    check(page, "the ask form, reached by keyboard")
    tab_to(page, lambda f: f["text"] == "Post the question", "ask: to 'Post the question'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    where = focus_of(page, "ask: submitted empty")
    assert where["id"] == "error-summary", f"the focus is on {where}, not on the error summary"
    check(page, "the ask form's errors")

    # Tab to the summary's first link, Shift+Tab back past it and Tab again (the summary itself,
    # tabindex=-1, is not in the Tab order), then Enter on the link takes the focus to the title.
    page.keyboard.press("Tab")
    assert focus_of(page, "the summary's first link")["href"] == "#id_title"
    page.keyboard.press("Shift+Tab")
    assert focus_of(page, "Shift+Tab from the summary's link")["href"] != "#id_title"
    page.keyboard.press("Tab")
    assert focus_of(page, "Tab back to the summary's link")["href"] == "#id_title"
    page.keyboard.press("Enter")
    assert focus_of(page, "ask: the title, from the summary")["id"] == "id_title"
    # The title's similar-question suggestions arrive 300 ms after the last key and are inserted
    # above the buttons: let them land first, or they push a just-focused button off screen.
    with page.expect_response(lambda response: "/forum/similar/" in response.url):
        page.keyboard.type("Do the turbines run at night when the grid is short?")
    page.wait_for_timeout(200)
    tab_to(page, lambda f: f["id"] == "id_body", "ask: to the details")
    page.keyboard.type("We hear them after midnight in Boxtown.")
    tab_to(page, lambda f: f["text"] == "Post the question", "ask: to 'Post the question' again")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/forum/questions/\d+/", page.url), f"the question was not posted: {page.url}"
    assert "Thank you. Your question" in page.inner_text("body")
    check(page, "the posted question")
