"""Number formatting for reports: every figure written by impact.figures.fmt, fractions as percentages."""

from django import template

from impact import figures

register = template.Library()


# Every figure on a page is written by impact.figures, as in the charts' alt text, the PDF and the
# CLI: {{ value|num }} (or |num:2 significant figures), |metric:unit, {% span low high unit %},
# |unit for a unit column, |factor for inputs, |citation.
register.filter("num", figures.number)
register.filter("factor", figures.factor)
register.filter("metric", figures.metric_text)
register.filter("citation", figures.citation)


@register.filter
def unit(name):
    """A unit column, written as the values beside it are: "fraction" → "%"."""
    return figures.unit_label(name) or name


@register.filter
def available(metric, checks):
    """False for a figure the run could not estimate (a grid pollutant without a rate): "not available", not 0."""
    return metric.key not in figures.unavailable_keys(checks)


@register.simple_tag(name="span")
def span_tag(low, high, unit=""):
    """A range whose ends never read the same: "23,050–28,413 MWh", "about 8 MW"."""
    return figures.span(low, high, unit)


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
