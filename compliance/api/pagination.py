from rest_framework import pagination

from compliance.paginator import FewRowsPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200), as API.md publishes."""

    page_size_query_param = "page_size"
    max_page_size = 200


class FewRowsPagination(PageNumberPagination):
    """The same pages, for long lists that filters often cut to a few rows
    (`compliance.paginator`)."""

    django_paginator_class = FewRowsPaginator
