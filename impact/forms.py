"""The questions the report admin asks before a staff verb: which period, what changed, why publish anyway."""

from django import forms

from impact.periods import PeriodError, parse_period
from impact.services import GWP_SETS


class ComputeReportForm(forms.Form):
    period = forms.CharField(
        max_length=32, help_text="2024-07 (a month), 2024-Q3, 2024, or 2024-07-01..2024-07-15 (local dates, inclusive)."
    )
    gwp_set = forms.ChoiceField(label="GWP set", choices=[(g, g) for g in GWP_SETS], initial="AR6")
    samples = forms.IntegerField(
        label="Monte Carlo samples", min_value=0, max_value=100_000, required=False,
        help_text="Empty: the site default. 0 skips the uncertainty range.",
    )

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"]).key
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None


class ChangelogForm(forms.Form):
    changelog = forms.CharField(
        label="Changelog note",
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="Shown to the public with the new version: what changed since the last version, and why.",
    )

    def clean_changelog(self):
        text = self.cleaned_data["changelog"].strip()
        if len(text) < 10:
            raise forms.ValidationError("Say what changed and why, in a sentence or two.")
        return text


class AcknowledgementForm(forms.Form):
    """Publishing a run although more of its modelled demand went unserved than the threshold allows."""

    acknowledgement = forms.CharField(
        label="Acknowledgement",
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="Shown to the public with the report: why these figures may be published although the model could "
        "not serve part of its demand (for example, what is known about the supply the model lacks).",
    )
    changelog = forms.CharField(
        label="Changelog note", required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Needed when the report already has a published version: what changed and why.",
    )

    def clean_acknowledgement(self):
        text = self.cleaned_data["acknowledgement"].strip()
        if len(text) < 20:
            raise forms.ValidationError("Say why the figures may be published anyway, in a sentence or two.")
        return text
