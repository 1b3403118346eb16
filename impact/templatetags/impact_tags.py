"""Number formatting for reports: readable figures, fractions as percentages (impact.figures)."""

from django import template

from impact import figures

register = template.Library()


# Every figure on a page is written by impact.figures, as in the charts' alt text and the PDF:
# {{ value|num }} (or |num:2 significant figures), |factor, |metric:unit, |citation.
register.filter("num", figures.number)
register.filter("factor", figures.factor)
register.filter("metric", figures.metric_text)
register.filter("citation", figures.citation)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def sentence_html(sentence):
    """A plain-language sentence with each figure linked to the table row it comes from."""
    from django.utils.html import format_html, format_html_join

    from impact.summary import Figure

    return format_html_join(
        "",
        "{}",
        (
            (format_html('<a href="#{}">{}</a>', part.anchor, part.text) if isinstance(part, Figure) else part,)
            for part in sentence.parts
        ),
    )
