from functools import partial

from rest_framework import pagination

from compliance.paginator import FewRowsPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200), as API.md publishes."""

    page_size_query_param = "page_size"
    max_page_size = 200


class FewRowsPagination(PageNumberPagination):
    """The same pages, for long lists that filters often cut to a few rows
    (`compliance.paginator`). A view with a `known_count()` that answers (not None) gives
    the list's count without counting its rows."""

    def paginate_queryset(self, queryset, request, view=None):
        count = getattr(view, "known_count", lambda: None)()
        self.django_paginator_class = partial(FewRowsPaginator, count=count)
        return super().paginate_queryset(queryset, request, view)
