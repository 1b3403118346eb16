"""The home page's first screen (issue 14): what went into the air this month, in words and one
picture, each pollutant against the permit's cap or a local comparison, without scrolling.

Measured on the seeded July 2024 report: before this page the home page was the whole report body.
"""

import re
from urllib.parse import parse_qs, urlparse

import pytest

from .conftest import axe_violations, horizontal_overflow, screenshot

pytestmark = pytest.mark.browser

ROSA = ("rosa", "a long resident password 1")
PHONE, DESKTOP = (390, 844), (1366, 768)
MAX_PHONE_HEIGHT_PX = 3000


def open_home(browser, site, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="en-US", bypass_csp=True)
    page = context.new_page()
    page.goto(site.base + "/", wait_until="load")
    return context, page


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390x844", "1366x768"])
def test_nox_and_its_cap_are_on_the_first_screen_without_scrolling(browser, site, size):
    context, page = open_home(browser, site, size)
    try:
        nox = page.locator("#air-nox")
        figure, compare = nox.locator(".air-figure"), nox.locator(".air-compare")
        assert "NO" in nox.inner_text() and re.search(r"\d", figure.inner_text())
        assert "cap" in compare.inner_text()
        bottom = compare.evaluate("el => el.getBoundingClientRect().bottom")
        assert bottom <= size[1], f"the NOx cap text ends at {bottom:.0f} px, below the {size[1]} px screen"
        screenshot(page, f"first-screen-{size[0]}")
    finally:
        context.close()


def test_the_home_page_is_short_on_a_phone(browser, site):
    context, page = open_home(browser, site, PHONE)
    try:
        height = page.evaluate("() => document.documentElement.scrollHeight")
        print(f"home page height at 390 px: {height} px")
        assert height < MAX_PHONE_HEIGHT_PX, f"{height} px tall at 390 px"
        link = page.get_by_role("link", name="Read the full report")
        assert link.count() == 1 and link.get_attribute("href") == site.seed["version_url"]
    finally:
        context.close()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390x844", "1366x768"])
def test_axe_finds_nothing_on_the_first_screen(browser, site, size):
    context, page = open_home(browser, site, size)
    try:
        violations = axe_violations(page)
        assert violations == [], violations
    finally:
        context.close()


def test_nothing_scrolls_sideways_at_320(browser, site):
    context, page = open_home(browser, site, (320, 700))
    try:
        assert horizontal_overflow(page) == 0
    finally:
        context.close()


def test_asking_about_a_figure_opens_the_ask_form_with_the_figure_chosen(browser, site):
    context, page = open_home(browser, site, PHONE)
    try:
        with page.expect_navigation():
            page.locator("#air-nox").get_by_role("link", name=re.compile("Ask a question about this figure")).click()
        # Anonymous: the login page says why, and keeps where to go next.
        assert "/accounts/login/" in page.url
        assert "Log in to ask a question" in page.inner_text("main")
        next_url = parse_qs(urlparse(page.url).query)["next"][0]
        assert next_url.startswith("/forum/ask/?")
        page.fill("#id_username", ROSA[0])
        page.fill("#id_password", ROSA[1])
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        assert "/forum/ask/" in page.url
        assert page.input_value("#id_chart_key") == "emissions"
        chosen = page.locator("#id_report_version option:checked").inner_text()
        assert "July 2024" in chosen
        assert "NO" in page.input_value("#id_title")
    finally:
        context.close()


def test_each_what_it_means_link_lands_on_a_glossary_entry(browser, site):
    context, page = open_home(browser, site, DESKTOP)
    try:
        hrefs = page.locator(".air-means a:not(.air-ask)").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert len(hrefs) >= 7
        page.goto(site.base + "/glossary/", wait_until="load")
        for href in hrefs:
            path, _, anchor = href.partition("#")
            assert path == "/glossary/" and page.locator(f"[id='{anchor}']").count() == 1, href
        for anchor in ("mw-mwh", "co2e", "nox", "pue", "wue", "scope", "p5-p95", "rolling-cap", "served"):
            assert page.locator(f"[id='{anchor}']").count() == 1, anchor
        assert axe_violations(page) == []
    finally:
        context.close()
