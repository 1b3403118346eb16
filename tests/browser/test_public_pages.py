"""Every public page at 320, 390 and 1366 CSS px: no WCAG 2.1 A/AA violation axe-core can find, no
sideways scrolling (WCAG 1.4.10 Reflow), the page's language set; a screenshot of each is kept."""

import pytest

from .conftest import WIDTHS, axe_violations, horizontal_overflow, screenshot, wider_than_viewport

pytestmark = pytest.mark.browser

# Public HTML pages, by what they need from the seed. Feeds and the iCal file are not HTML pages.
PAGES = {
    "home": lambda seed: "/",
    "reports": lambda seed: "/reports/",
    "report-latest": lambda seed: seed["version_url"].rsplit("v1/", 1)[0],
    "report-version": lambda seed: seed["version_url"],
    "methods": lambda seed: "/methods/",
    "glossary": lambda seed: "/glossary/",
    "facility": lambda seed: f"/facilities/{seed['facility']}/",
    "forum": lambda seed: "/forum/",
    "question": lambda seed: seed["question_url"],
    "forum-search": lambda seed: "/forum/search/?q=turbines",
    "forum-stats": lambda seed: "/forum/stats/",
    "meetings": lambda seed: "/forum/meetings/",
    "moderation-report": lambda seed: "/forum/moderation/report/",
    "login": lambda seed: "/accounts/login/",
    "signup": lambda seed: "/accounts/signup/",
    "password-reset": lambda seed: "/accounts/password/reset/",
    "reports-feed": lambda seed: "/feeds/reports/",
    "answers-feed": lambda seed: "/feeds/answers/",
    "topic-feed": lambda seed: "/feeds/topics/energy/",
    "not-found": lambda seed: "/no-such-page/",
}


def visit_pages(site, browser, locale):
    """Each page at each width, loaded once by a browser that asks for ``locale``, and its screenshot
    saved: {(name, width): (status, violations, overflow, wide, lang)}."""
    results = {}
    for name, path_of in PAGES.items():
        for width in WIDTHS:
            # bypass_csp: axe-core is injected as an inline script, which the site's policy (rightly) refuses.
            context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale, bypass_csp=True)
            page = context.new_page()
            response = page.goto(site.base + path_of(site.seed), wait_until="load")
            overflow = horizontal_overflow(page)
            results[name, width] = (
                response.status, axe_violations(page), overflow, wider_than_viewport(page) if overflow else [],
                page.evaluate("() => document.documentElement.lang"),
            )
            screenshot(page, f"{name}-{width}" if locale.startswith("en") else f"{name}-{width}-{locale[:2]}")
            context.close()
    return results


@pytest.fixture(scope="module")
def visited(site, browser):
    return visit_pages(site, browser, "en-US")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_the_page_answers_with_its_language_set(visited, name, width):
    status, _, _, _, lang = visited[name, width]
    assert status == (404 if name == "not-found" else 200)
    assert lang == "en"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_wcag_violation(visited, name, width):
    violations = visited[name, width][1]
    assert violations == [], "\n".join(f"{rule} ({impact}): {targets}" for rule, impact, targets in violations)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_nothing_scrolls_sideways(visited, name, width):
    _, _, overflow, wide, _ = visited[name, width]
    assert overflow == 0, f"{overflow} px wider than the {width} px viewport; reaching past the edge: {wide}"
