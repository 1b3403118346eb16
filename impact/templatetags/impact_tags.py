"""Number formatting for reports: readable figures, fractions as percentages."""

from django import template

register = template.Library()


@register.filter
def num(value, digits=3):
    """1234567.8 → "1,234,568"; 0.01234 → "0.0123"; None → "n/a"."""
    if value is None or value == "":
        return "n/a"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return value
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{int(digits)}g}"


@register.filter
def metric(value, unit):
    """A metric value in its unit; fractions are shown as percentages."""
    if unit == "fraction" and value is not None:
        return f"{float(value) * 100:.1f} %"
    return f"{num(value)} {unit}".strip()


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
