"""Markdown → HTML for residents' posts: render with Markdown, then sanitise with nh3.

Markdown passes raw HTML through, so the sanitiser is the security boundary: an allow-list of
tags and attributes, links only to http, https and mailto, and rel="nofollow ugc noopener" on
every link. No images: they would let a post track its readers.
"""

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# Headings inside a post are shifted down so they never compete with the page's own h1/h2.
_HEADING = re.compile(r"<(/?)h([1-6])\b")


def _demote_headings(html):
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}", html)


_SAFE_HREF = ("http://", "https://", "mailto:")


def _only_absolute_safe_links(tag, attribute, value):
    # nh3 already drops other schemes; this also drops relative and scheme-less hrefs such as
    # "java script:..." that a browser might read differently from the sanitiser.
    if tag == "a" and attribute == "href":
        return value if value.lower().startswith(_SAFE_HREF) else None
    return value


def render_markdown(text):
    """Safe HTML for ``text``: what the page shows for a question, reply, answer or agenda."""
    html = markdown.markdown(text or "", extensions=["fenced_code", "sane_lists", "tables"], output_format="html")
    html = _demote_headings(html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        attribute_filter=_only_absolute_safe_links,
        strip_comments=True,
    )


_LINK = re.compile(r"https?://|mailto:|www\.", re.IGNORECASE)


def count_links(text):
    """How many links a post carries, counted on the raw text (Markdown links and bare URLs)."""
    return len(_LINK.findall(text or ""))
