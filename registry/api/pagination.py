from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class RegistryPagination(PageNumberPagination):
    """Page-number pagination; ``page_size`` up to 200. A page that is not a positive integer is a 400."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.check_parameters(request)
        return super().paginate_queryset(queryset, request, view)

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
