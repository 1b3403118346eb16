"""Pagination of the hourly series: a cursor in time order. Lists page by number
(portal.core.api.pagination.PagePagination, the API's default).

A cursor that does not exist is a 400 naming the parameter, not DRF's default 404, so a client can
tell a bad request from a missing object.
"""

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from portal.core.api.pagination import describe


class SeriesCursorPagination(CursorPagination):
    """Hours in time order; a cursor stays valid while points are read (published runs never change)."""

    ordering = "timestamp"
    page_size = 500
    page_size_query_param = "page_size"
    page_size_query_description = "Hours per page (at most 5000)."
    cursor_query_description = "Opaque cursor from the previous page's next or previous link."
    max_page_size = 5000

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.cursor_query_param: [str(exc.detail)]}) from None

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # The position is compared with timestamps in SQL: a forged one must fail here, as a 400.
        if cursor is not None and cursor.position is not None and parse_datetime(cursor.position) is None:
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw not in (None, "") and not (raw.isdigit() and 0 < int(raw)):
            raise ValidationError({self.page_size_query_param: ["Give a whole number from 1 to 5000."]})
        return super().get_page_size(request)

    def get_paginated_response_schema(self, schema):
        return describe(
            super().get_paginated_response_schema(schema),
            {
                "next": "Next hours, or null after the last hour of the range.",
                "previous": "Earlier hours, or null at the start.",
                "results": "Hours of this page, in time order.",
            },
        )
