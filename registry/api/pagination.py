"""Page-number pagination whose `count` never costs a COUNT(*) over a whole large table.

A page's `count` is exact up to ``COUNT_LIMIT`` matching rows: the database counts at most that many plus one
(``SELECT COUNT(*) FROM (SELECT ... LIMIT 10001)``, without the list's ORDER BY), so the cost is bounded whatever the
table's size. Past the limit, `count` says ``COUNT_LIMIT`` and the ``Count-Exact: false`` header says it is a floor;
`next` still leads page by page to the last row (each such page fetches one row more than it shows to know whether
another follows). `page=last` counts exactly, once. The body keeps its shape: `count`, `next`, `previous`, `results`.
"""

from functools import cached_property

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

#: Lists count their rows exactly up to this many; beyond, `count` is this floor (see the module's docstring).
COUNT_LIMIT = 10_000
COUNT_EXACT_HEADER = "Count-Exact"


class OpenPage(Page):
    """A page past the counted rows: whether another follows is known from the one extra row fetched."""

    def __init__(self, object_list, number, paginator, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


class CappedCountPaginator(Paginator):
    """Counts at most ``COUNT_LIMIT`` + 1 rows; past them, pages are fetched by offset without a total."""

    limit = COUNT_LIMIT

    @cached_property
    def in_memory(self) -> bool:
        """A list already loaded (a record's history): its length is known, exactly, at no cost."""
        return not isinstance(self.object_list, QuerySet)

    @cached_property
    def count(self) -> int:
        if self.in_memory:
            return len(self.object_list)
        # Without ORDER BY: the database stops after limit + 1 matching rows instead of sorting them all.
        return self.object_list.order_by()[: self.limit + 1].count()

    counted_all = False

    @property
    def exact(self) -> bool:
        return self.in_memory or self.counted_all or self.count <= self.limit

    def count_exactly(self) -> None:
        """For `page=last`: count every matching row, once."""
        if self.in_memory:
            return
        self.__dict__["count"] = self.object_list.order_by().count()
        self.__dict__.pop("num_pages", None)
        self.counted_all = True

    def validate_number(self, number):
        if self.exact:
            return super().validate_number(number)
        # No total to compare with: any positive page may hold rows (the pagination refused other values, a 400).
        number = int(number)
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if self.exact:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return OpenPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)


class RegistryPagination(PageNumberPagination):
    """Page-number pagination; ``page_size`` up to 200. A page that is not a positive integer is a 400.

    `count` is exact up to ``COUNT_LIMIT`` rows and a floor beyond (header ``Count-Exact: false``).
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CappedCountPaginator

    def paginate_queryset(self, queryset, request, view=None):
        self.check_parameters(request)
        return super().paginate_queryset(queryset, request, view)

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) in self.last_page_strings and not paginator.exact:
            paginator.count_exactly()
        return super().get_page_number(request, paginator)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        paginator = self.page.paginator
        exact = getattr(paginator, "exact", True)
        if not exact:
            response.data["count"] = paginator.limit
        response[COUNT_EXACT_HEADER] = "true" if exact else "false"
        return response

    def check_parameters(self, request) -> None:
        """`page` and `page_size` are positive integers, or a 400 naming them (also where nothing is paged)."""
        self._refuse_malformed(request, self.page_query_param)
        self._refuse_malformed(request, self.page_size_query_param)

    @staticmethod
    def _refuse_malformed(request, name: str) -> None:
        value = request.query_params.get(name)
        if value is not None and value != "last" and not (value.isascii() and value.isdigit() and int(value) > 0):
            raise ValidationError({name: [f"{name} must be a positive integer, got {value!r}."]}, code="invalid")

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Results per page, 1 to {self.max_page_size} (larger values are capped)."
        return parameters

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count"]["description"] = (
            f"Matching records, exact up to {COUNT_LIMIT:,}; beyond, {COUNT_LIMIT:,} as a floor (the Count-Exact "
            "header is then false): follow `next` to the end."
        )
        return paginated
