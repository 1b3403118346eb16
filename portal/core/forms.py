"""Form fields shared by the site's apps."""

from django import forms

from .text import strip_invisible


class VisibleTextField(forms.CharField):
    """A CharField for names and titles shown to others: bidirectional controls and zero-width
    characters are dropped before any validator sees the value (and before it is saved)."""

    def to_python(self, value):
        value = super().to_python(value)
        return strip_invisible(value).strip() if value else value
