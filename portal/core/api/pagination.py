"""Numbered pages for every list.

A page that does not exist is a 400 naming the parameter, not DRF's default 404, so a client can
tell a bad request from a missing object.
"""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


def describe(schema, descriptions):
    """Put a description on the named properties of a paginated response's schema."""
    for name, text in descriptions.items():
        if name in schema["properties"]:
            schema["properties"][name]["description"] = text
    return schema


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = "Results per page (at most 1000)."
    page_query_description = "Page number, from 1."
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.page_query_param: [str(exc.detail)]}) from None

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw not in (None, "") and not (raw.isdigit() and 0 < int(raw)):
            raise ValidationError({self.page_size_query_param: ["Give a whole number from 1 to 1000."]})
        return super().get_page_size(request)

    def get_paginated_response_schema(self, schema):
        return describe(
            super().get_paginated_response_schema(schema),
            {
                "count": "Number of results over all pages.",
                "next": "Next page, or null on the last page.",
                "previous": "Previous page, or null on the first page.",
                "results": "This page's results.",
            },
        )
