"""OpenAPI generation details: every parameter gets a description."""

from drf_spectacular.openapi import AutoSchema

PATH_DESCRIPTIONS = {
    "slug": "Facility slug, e.g. memphis-supercluster.",
}


class ExportAutoSchema(AutoSchema):
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
        for parameter in parameters:
            if not parameter.get("description"):
                name = parameter["name"]
                what = model._meta.verbose_name if model is not None else "object"
                parameter["description"] = PATH_DESCRIPTIONS.get(name, f"Identifier of the {what}.")
        return parameters

