"""Recording staff actions: record() and the mixin every admin class gets from the staff site.

The mixin captures each row as it was before a save, delete or admin action and as it is
afterwards (re-read from the database, so changes made through a service function count), and
keeps only the fields that differ.
"""

import datetime as dt
import decimal
import uuid

from django.contrib.admin import helpers
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.template.response import TemplateResponse

from portal.core.ratelimit import client_ip

from .models import StaffAction

# Never copied into the log: password hashes, API tokens, OTP secrets.
SECRET_FIELDS = {"password", "key", "secret", "token"}
MAX_TEXT = 500
MAX_ROWS_PER_ACTION = 1000
MASKED = "•••"


def _plain(value):
    """A JSON-friendly, bounded copy of a field value."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID, dt.timedelta)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, (dict, list, tuple)):
        text = repr(value)
        return value if len(text) <= MAX_TEXT else f"{text[:MAX_TEXT]}… ({len(text)} characters)"
    text = str(value)
    return text if len(text) <= MAX_TEXT else f"{text[:MAX_TEXT]}… ({len(text)} characters)"


def snapshot(obj):
    """The row's concrete fields (and many-to-many ids) as a dict of JSON values."""
    if obj is None:
        return None
    data = {}
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.BinaryField):
            continue
        value = field.value_from_object(obj)
        data[field.attname] = MASKED if field.name in SECRET_FIELDS and value else _plain(value)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def reread(obj):
    """The row as the database holds it now, or None if it is gone."""
    if obj is None or obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).first()


def diff(before, after):
    """Only the fields that changed: (before, after). Adds and deletes keep the whole row."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(actor, kind, obj=None, before=None, after=None, *, name="", reason="", request=None, model=None, object_id=None, object_repr=None):
    """Write one audit-log row; ``before``/``after`` are snapshots, reduced to the changed fields.

    Pass ``model``, ``object_id`` and ``object_repr`` for a row that no longer exists.
    """
    before, after = diff(before, after)
    target_model = model or (type(obj) if obj is not None else None)
    entry = StaffAction.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=getattr(actor, "get_username", lambda: "")() if actor is not None else "",
        kind=kind,
        name=name,
        content_type=ContentType.objects.get_for_model(target_model, for_concrete_model=False) if target_model else None,
        object_id=str(object_id if object_id is not None else (obj.pk if obj is not None and obj.pk is not None else "")),
        object_repr=(object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[:300],
        before=before,
        after=after,
        reason=reason or "",
        ip=client_ip(request) if request is not None and client_ip(request) != "unknown" else None,
    )
    if request is not None and hasattr(request, "_staff_audit"):
        request._staff_audit.append(entry)
    return entry


class AuditedAdmin:
    """ModelAdmin mixin: every add, change, delete and admin action leaves a StaffAction row."""

    def save_model(self, request, obj, form, change):
        before = snapshot(reread(obj)) if change else None
        super().save_model(request, obj, form, change)
        kind = StaffAction.Kind.CHANGE if change else StaffAction.Kind.ADD
        record(request.user, kind, obj, before, snapshot(reread(obj) or obj), request=request)

    def delete_model(self, request, obj):
        # Django clears the pk on delete: keep which row it was.
        before, label, pk = snapshot(obj), str(obj), obj.pk
        super().delete_model(request, obj)
        record(request.user, StaffAction.Kind.DELETE, None, before, None, request=request, model=self.model, object_id=pk, object_repr=label)

    def delete_queryset(self, request, queryset):
        rows = [(obj.pk, str(obj), snapshot(obj)) for obj in queryset[:MAX_ROWS_PER_ACTION]]
        super().delete_queryset(request, queryset)
        for pk, label, before in rows:
            record(request.user, StaffAction.Kind.DELETE, None, before, None, request=request, model=self.model, object_id=pk, object_repr=label)

    def save_formset(self, request, form, formset, change):
        # Inline rows: compare each existing row with the database after the save, so rows
        # changed through a service (not formset.save()) are logged too.
        before = {f.instance.pk: snapshot(reread(f.instance)) for f in formset.initial_forms if f.instance.pk}
        super().save_formset(request, form, formset, change)
        for pk, old in before.items():
            now = formset.model._default_manager.filter(pk=pk).first()
            if now is None:
                record(request.user, StaffAction.Kind.DELETE, None, old, None, request=request, model=formset.model, object_id=pk, object_repr="")
            elif snapshot(now) != old:
                record(request.user, StaffAction.Kind.CHANGE, now, old, snapshot(now), request=request)
        for obj in getattr(formset, "new_objects", []):
            record(request.user, StaffAction.Kind.ADD, obj, None, snapshot(obj), request=request)

    def response_action(self, request, queryset):
        request._staff_audit = []
        name = request.POST.get("action", "")
        if request.POST.get("select_across") == "1":
            targets = queryset
        else:
            targets = queryset.filter(pk__in=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        before = {obj.pk: (obj, snapshot(obj)) for obj in targets[:MAX_ROWS_PER_ACTION]}
        response = super().response_action(request, queryset)
        finished = not isinstance(response, TemplateResponse)  # an intermediate page changes nothing yet
        if finished and before and not request._staff_audit:
            for obj, old in before.values():
                now = reread(obj)
                record(request.user, StaffAction.Kind.ACTION, now or obj, old, snapshot(now), name=name, request=request)
        return response
