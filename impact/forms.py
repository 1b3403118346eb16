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


class MeasuredUploadForm(forms.Form):
    """The staff console's upload of a CSV file of measured data (docs/measured.md)."""

    facility = forms.ModelChoiceField(queryset=None)
    kind = forms.ChoiceField(choices=())
    period = forms.CharField(max_length=32, help_text="The period the file covers, in the facility's time zone: 2024-07, 2024-Q3 or 2024-07-01..2024-07-15.")
    file = forms.FileField(help_text="A CSV file in the format of docs/measured.md (UTF-8, header line first).")
    source = forms.ModelChoiceField(queryset=None, help_text="The document the data comes from.")
    status = forms.ChoiceField(choices=())
    supersedes = forms.ModelChoiceField(queryset=None, required=False, help_text="The earlier dataset this corrected file replaces.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             help_text="Why it supersedes the earlier dataset (required then).")

    def __init__(self, *args, **kwargs):
        from impact.models import Facility, MeasuredDataset, Source

        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.all()
        self.fields["kind"].choices = MeasuredDataset.Kind.choices
        self.fields["source"].queryset = Source.objects.all()
        self.fields["status"].choices = MeasuredDataset.STATUS_CHOICES
        self.fields["supersedes"].queryset = MeasuredDataset.objects.filter(superseded=False).select_related("facility")
