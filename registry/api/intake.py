"""``POST /api/v1/intake/``: what a decision's or a report's text says, proposed for review; nothing is written."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from registry.api.permissions import CanChangeAppointments
from registry.api.serializers.intake import IntakeRequestSerializer, IntakeResultSerializer
from registry.intake.reading import read

EXAMPLE = OpenApiExample(
    "A decision appointing a deputy",
    request_only=True,
    value={
        "text": (
            "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\nSố: 88/QĐ-UBND\n"
            "Thành phố Hồ Chí Minh, ngày 10 tháng 3 năm 2026\nQUYẾT ĐỊNH\nVề việc kiện toàn Ban Chỉ đạo\n"
            "Điều 1. Bổ nhiệm bà Trần Thị Mai, Giám đốc Sở Nội vụ, giữ chức Phó trưởng ban kể từ ngày 15/3/2026."
        ),
        "title": "",
    },
)


class IntakeView(generics.GenericAPIView):
    """Read a text and propose the document and the appointments it states, each with its quote."""

    permission_classes = [CanChangeAppointments]
    serializer_class = IntakeRequestSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        operation_id="intake_create",
        request=IntakeRequestSerializer,
        responses={200: IntakeResultSerializer},
        examples=[EXAMPLE],
    )
    def post(self, request):
        """Propose what a text says: the document, and appointments, ends and holdings with their quotes.

        Matching is accent- and case-insensitive over the registry's names, abbreviations and other names. Each
        proposal's `quote` is the sentence or list item, verbatim; `conflicts` say what the registry already holds.
        Nothing is written: review the proposals and apply them with `POST /api/v1/changesets/`.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = read(**serializer.validated_data)
        return Response(IntakeResultSerializer(result).data)
