"""OpenAPI generation details: every parameter gets a description."""

from drf_spectacular.openapi import AutoSchema


class ExportAutoSchema(AutoSchema):
    """A path parameter without a description gets the view's ``lookup_description``, else
    "Identifier of the <model>."; the format parameter says what it chooses."""

    def _get_format_parameters(self):
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter.setdefault(
                "description", "Response format: json (default) or csv; Accept: text/csv works too."
            )
        return parameters

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        what = model._meta.verbose_name if model is not None else "object"
        for parameter in parameters:
            if not parameter.get("description"):
                parameter["description"] = getattr(self.view, "lookup_description", None) or f"Identifier of the {what}."
        return parameters
