"""The public pages in Spanish (issue 14), whose words run longer than the English: at 320, 390 and
1366 CSS px nothing scrolls sideways, axe-core finds no WCAG 2.1 A/AA violation, the page says it is
Spanish, and the header's switcher is a 44 px target that takes a reader back to English."""

import pytest

from .conftest import WIDTHS
from .test_public_pages import PAGES, visit_pages

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visited(site, browser):
    """Each page at each width for a browser that asks for Spanish (screenshots named <page>-<width>-es)."""
    return visit_pages(site, browser, "es-US")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_a_spanish_page_fits_is_accessible_and_says_it_is_spanish(visited, name, width):
    status, violations, overflow, wide, lang = visited[name, width]
    assert status == (404 if name == "not-found" else 200)
    assert lang == "es"
    assert overflow == 0, f"{overflow} px too wide: {wide}"
    assert violations == []


def test_the_switcher_is_a_44_px_target_that_switches_back_to_english(site, browser):
    context = browser.new_context(viewport={"width": 320, "height": 900}, locale="es-US")
    page = context.new_page()
    page.goto(site.base + "/forum/", wait_until="load")
    button = page.get_by_role("button", name="English", exact=True)
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    button.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/forum/")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    context.close()
