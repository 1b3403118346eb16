"""What every list of the API shares: CSV streaming of every filtered row, strict parameters and ordering.

An app's ViewSet sets its queryset, serializer, FilterSet and ``csv_name`` on top of ReadViewSet.
"""

from django.http import StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.renderers import JSONRenderer

from portal.core.converters import ID_REGEX
from portal.core.csvwriter import csv_lines

CSV_CHUNK_ROWS = 500

FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "csv"], required=False,
    description="json (default) or csv; lists in CSV hold every filtered row, unpaginated (or send Accept: text/csv).",
)


class StrictOrderingFilter(OrderingFilter):
    """OrderingFilter that answers 400 for a field it cannot order by, instead of ignoring it."""

    ordering_description = "Comma-separated fields to order by; prefix - for descending."

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            allowed = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
            wanted = [term.strip() for term in raw.split(",") if term.strip()]
            unknown = [term for term in wanted if term.lstrip("-") not in allowed]
            if unknown:
                raise ValidationError(
                    {self.ordering_param: [f"Cannot order by {', '.join(unknown)}; choose from {', '.join(sorted(allowed))}."]}
                )
        return super().get_ordering(request, queryset, view)


def wants_csv(request):
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is not None and getattr(renderer, "format", None) == "csv"


def stream_csv(header, rows, filename):
    """A streamed CSV download of ``rows`` (sequences in header order), saved as ``filename``."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ExportMixin:
    """JSON pages by default; ``format=csv`` streams every filtered row. Errors are always JSON."""

    csv_name = "export"

    def check_parameters(self, request):
        """A misspelt filter must not quietly return everything: unknown parameters are a 400."""
        allowed = {"format"}
        if getattr(self, "filterset_class", None) is not None:
            allowed |= set(self.filterset_class.base_filters)
        if any(issubclass(backend, OrderingFilter) for backend in self.filter_backends):
            allowed.add("ordering")
        paginator = self.paginator
        for name in ("page_query_param", "page_size_query_param", "cursor_query_param"):
            if getattr(paginator, name, None):
                allowed.add(getattr(paginator, name))
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            hint = f"Unknown parameter; this list takes {', '.join(sorted(allowed))}."
            raise ValidationError({name: [hint] for name in unknown})

    def list(self, request, *args, **kwargs):
        self.check_parameters(request)
        if not wants_csv(request):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        serializer_class = self.get_serializer_class()
        context = self.get_serializer_context()
        header = list(serializer_class(context=context).fields)

        def rows():
            for obj in queryset.iterator(chunk_size=CSV_CHUNK_ROWS):
                data = serializer_class(obj, context=context).data
                yield [data.get(name) for name in header]

        return stream_csv(header, rows(), f"{self.csv_name}.csv")

    def handle_exception(self, exc):
        # A CSV client still gets a readable error: JSON with the parameter named.
        if wants_csv(self.request):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class ReadViewSet(ExportMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    lookup_value_regex = ID_REGEX  # at most 18 digits: a longer id is a 404, never a query
