"""Measured data uploaded by staff: utility meter, gas meter, generator run logs, CEMS stack hours,
water meter (issue 15). One :class:`MeasuredDataset` is one uploaded CSV file; its rows are
:class:`MeasuredValue` (meter, gas, water), :class:`RunLogEntry` or :class:`CemsHour`.

Parsing and validation live in impact/measured.py, the verb in impact.services.import_measured.
A corrected file supersedes the old dataset, whose rows stay in the database and can be queried.
Imported by impact.models, so Django sees these models as the impact app's.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from impact.models import Confidence, Facility, Source


class MeasuredDataset(models.Model):
    """One uploaded file of measured data for a facility, with its hash, uploader, source and status."""

    class Kind(models.TextChoices):
        METER_MWH = "meter_mwh", "Utility meter (MWh)"
        GAS = "gas", "Gas meter (MMBtu)"
        RUN_LOG = "run_log", "Generator run log"
        CEMS = "cems", "CEMS stack hours"
        WATER = "water", "Water meter (m³)"

    # Measured data is read in a document or it is not: D (derived here) is no status for it.
    STATUS_CHOICES = [c for c in Confidence.choices if c[0] != Confidence.DERIVED]

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="measured_datasets")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    period_start = models.DateTimeField(help_text="The first instant the file covers (UTC).")
    period_end = models.DateTimeField(help_text="The end of the period the file covers (exclusive, UTC).")
    period_key = models.CharField(max_length=40, help_text="The period as stated at upload, e.g. 2024-07.")
    sha256 = models.CharField("SHA-256", max_length=64)
    file_name = models.CharField(max_length=255)
    row_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Empty: imported by the system (a command without --as), or the account is gone (the audit log keeps the name).",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="measured_datasets",
                               help_text="The document the data comes from (a utility bill, a CEMS export, …).")
    status = models.CharField(max_length=2, choices=STATUS_CHOICES)
    supersedes = models.OneToOneField(
        # RESTRICT, not PROTECT: an old dataset cannot be deleted alone, but with its facility it can.
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="superseded_by",
        help_text="The earlier dataset this corrected file replaces.",
    )
    reason = models.TextField(blank=True, help_text="Why this file supersedes the earlier one (required then).")
    superseded = models.BooleanField(default=False, help_text="A corrected file replaced this one; its rows are kept.")

    class Meta:
        ordering = ["facility", "kind", "-uploaded_at"]
        constraints = [
            # The same file twice is the same dataset: re-uploading it is a no-op.
            models.UniqueConstraint(fields=["facility", "kind", "sha256"], name="one_measured_dataset_per_file"),
            models.CheckConstraint(condition=models.Q(period_end__gt=models.F("period_start")), name="measured_period_not_empty"),
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(reason=""), name="measured_supersede_needs_reason"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_key}: {self.file_name}"

    def clean(self):
        if self.supersedes_id and not self.reason.strip():
            raise ValidationError({"reason": "Say why this file supersedes the earlier one."})

    def rows(self):
        """The rows of this dataset, whichever kind it is."""
        if self.kind == self.Kind.RUN_LOG:
            return self.run_log_entries.all()
        if self.kind == self.Kind.CEMS:
            return self.cems_hours.all()
        return self.values.all()


class MeasuredValue(models.Model):
    """One interval (an hour or a calendar month) of a meter: the value in the engine's unit
    (MWh, MMBtu HHV, m³) and, beside it, the value and unit as the file gave them."""

    dataset = models.ForeignKey(MeasuredDataset, on_delete=models.CASCADE, related_name="values")
    start = models.DateTimeField()
    end = models.DateTimeField()
    value = models.FloatField(help_text="In the engine's unit (unit).")
    unit = models.CharField(max_length=8, help_text="The engine's unit: MWh, MMBtu or m3.")
    original_value = models.FloatField()
    original_unit = models.CharField(max_length=16)
    row = models.PositiveIntegerField(help_text="The line of the file it came from.")

    class Meta:
        ordering = ["dataset", "start"]
        constraints = [models.UniqueConstraint(fields=["dataset", "start"], name="one_measured_value_per_interval")]

    def __str__(self):
        return f"{self.start:%Y-%m-%d %H:%M} {self.value:g} {self.unit}"


class RunLogEntry(models.Model):
    """One run of one generator unit, from start to stop."""

    dataset = models.ForeignKey(MeasuredDataset, on_delete=models.CASCADE, related_name="run_log_entries")
    unit = models.CharField(max_length=80, help_text="The generator unit as the log names it.")
    start = models.DateTimeField()
    stop = models.DateTimeField()
    row = models.PositiveIntegerField()

    class Meta:
        ordering = ["dataset", "unit", "start"]
        verbose_name_plural = "run log entries"

    def __str__(self):
        return f"{self.unit} {self.start:%Y-%m-%d %H:%M} → {self.stop:%Y-%m-%d %H:%M}"


class CemsHour(models.Model):
    """One unit-hour of stack data in the style of EPA's CEMS (40 CFR Part 75) hourly exports."""

    dataset = models.ForeignKey(MeasuredDataset, on_delete=models.CASCADE, related_name="cems_hours")
    unit = models.CharField(max_length=80)
    hour = models.DateTimeField(help_text="The start of the hour (UTC).")
    heat_input_mmbtu = models.FloatField()
    nox_lb = models.FloatField()
    co2_short_tons = models.FloatField(help_text="Short tons, as CEMS reports CO2.")
    operating_time_h = models.FloatField(help_text="Hours the unit ran within the hour, 0 to 1.")
    row = models.PositiveIntegerField()

    class Meta:
        ordering = ["dataset", "unit", "hour"]
        constraints = [models.UniqueConstraint(fields=["dataset", "unit", "hour"], name="one_cems_row_per_unit_hour")]

    def __str__(self):
        return f"{self.unit} {self.hour:%Y-%m-%d %H:%M}"
