"""Serializer bases every app's API shares: fields described from the model, times in UTC.

Timestamps are ISO 8601 in UTC ("2024-07-01T05:00:00Z") whatever the site's display time zone.
Model fields without a help text take their verbose name as description, which carries the unit
("accelerator TDP (W)").
"""

import datetime as dt

from django.db import models
from django.utils.text import capfirst
from rest_framework import serializers


class UTCDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC with a Z, never the site's display zone."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default_timezone", dt.timezone.utc)
        super().__init__(*args, **kwargs)


class DescribedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose fields all have a description and whose times are UTC."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
        # Optional links are stored as "" when absent, which is not a valid "uri" in OpenAPI terms.
        models.URLField: serializers.CharField,
    }

    def build_field(self, field_name, info, model_class, nested_depth):
        field_class, kwargs = super().build_field(field_name, info, model_class, nested_depth)
        if not kwargs.get("help_text"):
            try:
                model_field = model_class._meta.get_field(field_name)
            except Exception:  # a property or method: the subclass describes it
                model_field = None
            if model_field is not None:
                text = getattr(model_field, "help_text", "") or getattr(model_field, "verbose_name", field_name)
                if field_name == "id":
                    text = f"Identifier of the {model_class._meta.verbose_name}."
                kwargs["help_text"] = capfirst(str(text))
        return field_class, kwargs


def absolute(request, path):
    return request.build_absolute_uri(path) if request is not None else path
