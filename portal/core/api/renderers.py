"""text/csv for the browsable API's format switch and single objects; big lists stream instead
(portal.core.api.views.ExportMixin). Cells follow portal.core.csvwriter."""

from rest_framework.renderers import BaseRenderer

from portal.core.csvwriter import csv_text


class CSVRenderer(BaseRenderer):
    """text/csv for one object (one row) or a list of flat objects. Big lists stream instead."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data = data["results"]  # a paginated page
        rows = data if isinstance(data, list) else [data]
        header = []
        for row in rows:
            for key in row if isinstance(row, dict) else ():
                if key not in header:
                    header.append(key)
        return csv_text(header, ([row.get(key) for key in header] for row in rows)).encode("utf-8")
