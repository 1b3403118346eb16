"""Forms for asking, replying, flagging, answering, moderating and meeting outcomes."""

import datetime as dt

from django import forms
from django.conf import settings
from django.apps import apps
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.forms import HoneypotMixin
from portal.core.forms import VisibleTextField

from .models import FLAG_REASONS, DocketItem, Meeting, Reason, Topic


def _report_versions():
    ReportVersion = apps.get_model("impact", "ReportVersion")
    return ReportVersion.objects.select_related("report__facility").order_by("-published_at")


class MeetingChoiceField(forms.ModelChoiceField):
    """Meetings by title and local date, the month in the reader's language (Meeting.__str__ is English)."""

    def label_from_instance(self, meeting):
        return f"{meeting.title} ({formats.date_format(meeting.local_start, 'j M Y')})"


class QuestionForm(HoneypotMixin, forms.Form):
    # Bidirectional overrides and zero-width characters are dropped: a title is shown in lists,
    # feeds and e-mails, where "\u202e" could reverse what follows it.
    title = VisibleTextField(
        max_length=160, min_length=10, label=_("Your question"),
        help_text=_("One sentence, e.g. “How many hours did the gas generators run in July?”"),
        # No aria-describedby of its own: Django's names the help text and, after an error, the error
        # (one set here replaced both). The suggestions below announce themselves (aria-live).
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000,
        help_text=_("Markdown works: **bold**, *italic*, lists, [links](https://example.org). No images."),
    )
    topic = forms.ChoiceField(choices=Topic.choices, initial=Topic.OTHER, label=_("Topic"))
    meeting = MeetingChoiceField(
        queryset=Meeting.objects.none(), required=False, label=_("Ask at a public meeting (optional)"),
        empty_label=_("No, answer online"),
        help_text=_("Questions for a meeting are ranked by votes; the top ones form its agenda."),
    )
    report_version = forms.ModelChoiceField(
        queryset=None, required=False, label=_("About a report (optional)"), empty_label=_("No particular report"),
        # The versions' names are impact's (its __str__, English until impact/locale has them).
        widget=forms.Select(attrs={"data-i18n-from": "impact"}),
    )
    chart_key = forms.SlugField(
        max_length=40, required=False, label=_("Chart (optional)"),
        help_text=_("The chart's short name shown under it on the report page, e.g. generator-output."),
    )
    window_start = forms.DateField(
        required=False, label=_("From (optional)"), widget=forms.DateInput(attrs={"type": "date"}),
        # A date picker shows the browser's own format (mm/dd/yyyy in the US), so no ISO example here.
        help_text=_("Pick a date: the day, or the first day of the period, you ask about."),
    )
    window_end = forms.DateField(
        required=False, label=_("To (optional)"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Pick the last day of the period, or leave it empty for a single day."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report_version"].queryset = _report_versions()
        # Only meetings whose docket has not frozen yet (the freeze is N days before the start).
        still_open = timezone.now() + dt.timedelta(days=settings.FORUM_DOCKET_FREEZE_DAYS)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            is_cancelled=False, docket_frozen_at__isnull=True, starts_at__gt=still_open
        ).select_related("facility").order_by("starts_at")
        self.add_honeypot()

    def clean(self):
        cleaned = super().clean()
        version, key = cleaned.get("report_version"), cleaned.get("chart_key")
        if key and not version:
            self.add_error("report_version", _("Pick the report the chart belongs to."))
        if version and key:
            keys = list(version.run.charts.values_list("key", flat=True))
            if key not in keys:
                hint = ", ".join(keys) if keys else "this report has no charts"
                self.add_error("chart_key", f"That report has no chart “{key}”. Its charts: {hint}.")
        start, end = cleaned.get("window_start"), cleaned.get("window_end")
        if end and not start:
            self.add_error("window_start", _("Give the first day too."))
        if start and end and end < start:
            self.add_error("window_end", _("The end is before the start."))
        meeting = cleaned.get("meeting")
        if meeting is not None and not meeting.accepts_questions:
            self.add_error("meeting", _("This meeting's docket is frozen; pick a later meeting."))
        return cleaned


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
                           help_text=_("Markdown works. Be kind; stick to facts."))


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=FLAG_REASONS, widget=forms.RadioSelect, label=_("What is wrong with it?"))
    note = forms.CharField(max_length=500, required=False, label=_("Anything a moderator should know (optional)"),
                           widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    text = forms.CharField(max_length=2000, label=_("Why should it be shown?"), widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Official answer"), widget=forms.Textarea(attrs={"rows": 10}), help_text=_("Markdown."))
    report_version = forms.ModelChoiceField(queryset=None, required=False, label=_("Cites report version (optional)"),
                                            empty_label=_("No report"), widget=forms.Select(attrs={"data-i18n-from": "impact"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report_version"].queryset = _report_versions()


class ModerationForm(forms.Form):
    """One moderator decision on one post, or on many in the queue."""

    ACTIONS = [
        ("approve", _("Approve (publish)")),
        ("hide", _("Hide")),
        ("reject", _("Reject")),
        ("restore", _("Restore")),
        ("dismiss", _("Dismiss flags")),
        ("deny_appeal", _("Deny appeal")),
        ("close", _("Close question")),
        ("reopen", _("Reopen question")),
    ]
    action = forms.ChoiceField(choices=ACTIONS, label=_("Action"))
    reason = forms.ChoiceField(choices=[("", "—")] + list(Reason.choices), required=False, label=_("Reason"),
                               help_text=_("Required to hide or reject; the author is told."))
    note = forms.CharField(max_length=1000, required=False, label=_("Note to the author (optional)"),
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") in ("hide", "reject") and not cleaned.get("reason"):
            self.add_error("reason", _("Pick a reason: the author is told why."))
        # "Other (see note)" tells the author nothing without the note.
        if cleaned.get("action") in ("hide", "reject") and cleaned.get("reason") == Reason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("For “Other”, say why in the note: the author is told it."))
        return cleaned


class BulkModerationForm(ModerationForm):
    """The moderation queue's one decision for many ticked posts."""

    ACTIONS = [a for a in ModerationForm.ACTIONS if a[0] in ("approve", "hide", "reject", "restore", "dismiss", "deny_appeal")]
    action = forms.ChoiceField(choices=ACTIONS, label=_("Action"))
    questions = forms.ModelMultipleChoiceField(queryset=None, required=False)
    replies = forms.ModelMultipleChoiceField(queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from .models import Question, Reply

        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = Question.objects.all()
        self.fields["replies"].queryset = Reply.objects.all()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("questions") and not cleaned.get("replies"):
            raise forms.ValidationError(_("Tick at least one post."))
        return cleaned


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = DocketItem
        fields = ["outcome", "outcome_note", "written_answer_due"]
        widgets = {"outcome_note": forms.Textarea(attrs={"rows": 2}), "written_answer_due": forms.DateInput(attrs={"type": "date"})}


class MinutesForm(forms.Form):
    minutes = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), help_text=_("Markdown."))
