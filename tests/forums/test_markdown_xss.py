"""The Markdown renderer: formatting survives, scripts, event handlers and dangerous links do not."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings, strategies as st

from portal.forums.rendering import count_links, render_markdown

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[[inner](javascript:alert(1))](https://ok.example)",
    "[x](https://ok.example \"title\" onclick=\"alert(1)\")",
    "![img](javascript:alert(1))",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<div onmouseover=\"alert(1)\">hover</div>",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<object data=javascript:alert(1)></object>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "<<script>script>alert(1)<</script>/script>",
    "`<script>` is fine in code but <script>not outside</script>",
    "<!--<script>alert(1)</script>-->",
    "<style>body{display:none}</style>",
    "<details open ontoggle=alert(1)>",
    "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)\">x</a>",
    "[x]: javascript:alert(1)\n\n[ref][x]",
]

FORBIDDEN_TAGS = {"script", "style", "svg", "math", "iframe", "object", "embed", "form", "img", "meta", "link", "base"}


class Elements(HTMLParser):
    """Every start tag and its (decoded) attributes, as a browser would see them."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_safe(html):
    for tag, attrs in Elements(html).tags:
        assert tag not in FORBIDDEN_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name != "style", html
            if name in ("href", "src", "action"):
                cleaned = re.sub(r"[\x00-\x20]", "", value or "").lower()
                assert cleaned.startswith(("http://", "https://", "mailto:")), html


@pytest.mark.parametrize("payload", XSS)
def test_it_removes_scripts_handlers_and_dangerous_links(payload):
    assert_safe(render_markdown(payload))


def test_it_keeps_ordinary_formatting_and_safe_links():
    html = render_markdown("**NOx** in *July*:\n\n- one\n- two\n\n[EPA](https://www.epa.gov/) or <mailto:info@example.org>")
    assert "<strong>NOx</strong>" in html and "<em>July</em>" in html and "<li>one</li>" in html
    assert 'href="https://www.epa.gov/"' in html


def test_every_link_gets_nofollow_ugc_noopener():
    html = render_markdown("[a](https://a.example) and [b](http://b.example)")
    assert html.count('rel="nofollow ugc noopener"') == 2


def test_headings_in_posts_never_outrank_the_page_heading():
    html = render_markdown("# Big\n\n## Smaller")
    assert "<h1" not in html and "<h2" not in html and "<h3>Big</h3>" in html


def test_images_are_dropped_so_posts_cannot_track_readers():
    assert "<img" not in render_markdown("![pixel](https://tracker.example/p.gif)")


def test_links_are_counted_for_the_new_account_limit():
    assert count_links("see https://a.example and [b](http://b.example) and www.c.example") == 3


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/:;&#[]()!` \njavscriptonerlodaxhf0123456789")), max_size=120))
def test_no_generated_input_produces_a_script_or_handler(text):
    assert_safe(render_markdown(text))
