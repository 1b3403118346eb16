"""Number formatting for reports: readable figures, fractions as percentages (impact.figures)."""

from django import template

from impact import figures

register = template.Library()


@register.filter
def num(value, digits=3):
    """1234567.8 → "1,234,568"; 0.01234 → "0.0123"; None → "n/a"."""
    return figures.number(value, digits)


@register.filter
def factor(value):
    """An input or factor exactly as used: 931.59 → "931.59" (impact.figures.factor)."""
    return figures.factor(value)


@register.filter
def metric(value, unit):
    """A metric value in its unit; fractions are shown as percentages."""
    return figures.metric_text(value, unit)


@register.filter
def citation(row):
    """An assumption's or factor's source, each of title, section and year once."""
    return figures.citation(row)


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
