"""Atom feeds a browser can read: an xml-stylesheet instruction before the root element (Django 5.2
writes one for RSS only), and a link to the feed's page for people (what a feed is, its address,
the latest entries, the e-mail alternative).

Firefox and Safari render the feed through core/feed.xsl. Chromium has removed XSLT, so it shows
the raw XML: every link on the site therefore goes to the feed's page, and only <link
rel="alternate"> autodiscovery (for feed readers) points at the .atom itself.
"""

from django.templatetags.static import static
from django.utils.feedgenerator import Atom1Feed, Stylesheet
from django.utils.xmlutils import SimplerXMLGenerator


def feed_stylesheet():
    """The XSL that turns an Atom feed into a page (text/xsl: what browsers expect of XSLT)."""
    return Stylesheet(static("core/feed.xsl"), mimetype="text/xsl", media=None)


class ReadableAtom1Feed(Atom1Feed):
    """Atom 1.0 with the feed's stylesheets and, as <link rel="related">, its page for people
    (``about_link``, set by ReadableFeedMixin.get_feed)."""

    def write(self, outfile, encoding):
        # Atom1Feed.write with add_stylesheets() where Django's RSS writer calls it: after the
        # XML declaration, before any element.
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", str(stylesheet))
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("about_link"):
            handler.addQuickElement("link", "", {"rel": "related", "type": "text/html", "href": self.feed["about_link"]})


class ReadableFeedMixin:
    """For a django.contrib.syndication Feed: Atom, styled, with a link to its page for people.
    Subclasses define ``about_link(obj)``, a path."""

    feed_type = ReadableAtom1Feed

    def stylesheets(self):
        return [feed_stylesheet()]

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Set here, not in feed_extra_kwargs: that has no request, and the Feed instance is shared
        # by every request (so it must hold no per-request state).
        feed.feed["about_link"] = request.build_absolute_uri(self.about_link(obj))
        return feed
