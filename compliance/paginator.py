"""A paginator for long lists that filters often cut to a few rows.

A list ordered by an index and cut to one page lets PostgreSQL walk that index until the
page is full. When the filter matches only a few rows, scattered, and PostgreSQL expects
more of them, the walk reads most of the table to find them. So once the count says there
are at most `FEW`, this paginator reads their ids in the list's order (all of them, which
PostgreSQL finds as it found them to count, then sorts), and the page's rows by the
page's ids; with more, the walk finds its page quickly among so many.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

FEW = 1000


class FewRowsPaginator(Paginator):
    def __init__(self, object_list, per_page, *args, count=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if count is not None:  # known without counting the rows
            self.count = count

    def page(self, number):
        rows = self.object_list
        if not (isinstance(rows, QuerySet) and connections[rows.db].vendor == "postgresql"
                and 0 < self.count <= FEW):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(rows.values_list("pk", flat=True))[bottom:top]
        return self._get_page(rows.filter(pk__in=ids), number, self)
