"""``POST /api/v1/changesets/``: several appointment writes from one document, all or nothing."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from registry.api.permissions import CanChangeAppointments
from registry.api.schema import ErrorSerializer
from registry.api.serializers.changesets import ChangesetResultSerializer, ChangesetSerializer
from registry.services import changesets

EXAMPLE = OpenApiExample(
    "A decision appointing two members",
    request_only=True,
    value={
        "document": {
            "slug": "qd-1234-ubnd-2025",
            "kind": "decision",
            "number": "1234/QĐ-UBND",
            "title": "Quyết định kiện toàn Ban Chỉ đạo",
            "issued_on": "2025-03-01",
            "date_precision": "exact",
            "text": "Ông Nguyễn Văn A, Phó Chủ tịch UBND Thành phố, làm Trưởng ban. Bà Trần Thị B làm Phó Trưởng ban.",
        },
        "reason": "Quyết định 1234/QĐ-UBND",
        "operations": [
            {
                "op": "appoint",
                "post": 12,
                "person": {"slug": "nguyen-van-a", "name": "Nguyễn Văn A", "family_name": "Nguyễn"},
                "start_date": "2025-03-01",
                "quote": "Ông Nguyễn Văn A, Phó Chủ tịch UBND Thành phố, làm Trưởng ban.",
                "if_match": '"7"',
            },
            {
                "op": "appoint",
                "post": {"slug": "ban-chi-dao-pho-truong-ban"},
                "person": "tran-thi-b",
                "start_date": "2025-03-01",
                "quote": "Bà Trần Thị B làm Phó Trưởng ban.",
            },
            {
                "op": "end",
                "appointment": 40,
                "end_date": "2025-02-28",
                "end_reason": "Kiện toàn Ban Chỉ đạo",
                "quote": "Ông Nguyễn Văn A, Phó Chủ tịch UBND Thành phố, làm Trưởng ban.",
            },
        ],
    },
)


class ChangesetView(generics.GenericAPIView):
    """Apply several appointment writes that one document supports, in one transaction."""

    permission_classes = [CanChangeAppointments]
    serializer_class = ChangesetSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        operation_id="changesets_create",
        request=ChangesetSerializer,
        responses={
            201: ChangesetResultSerializer,
            412: OpenApiResponse(
                ErrorSerializer, description="An operation's `if_match` names another version: nothing was written."
            ),
        },
        examples=[EXAMPLE],
    )
    def post(self, request):
        """Apply a changeset: a document (new, or `{slug}` of a stored one) and operations, all or nothing.

        Operations run in order: `appoint` (a post by id, `{slug}` or new fields; a person by slug or new fields; a
        slug may name a record an earlier operation created) and `end` (an appointment by id). Every operation's
        `quote` must stand in the document's text (NFC, any white space) and is cited for what it writes. One refusal
        is a 400 naming `operations.<index>.<field>` and nothing is written. Every write keeps the one `reason`, and
        the changeset's feed entries are consecutive.

        Preconditions: an operation's `if_match` is the ETag, as last read, of the post it appoints to (`appoint`) or
        of the appointment it ends (`end`); when any names another version the answer is 412 and nothing is written.
        """
        if "If-Match" in request.headers:
            # A changeset may touch many posts: one header could not say which; silently ignoring it would be worse.
            raise serializers.ValidationError(
                {"If-Match": ["A changeset takes no If-Match header: give each operation's if_match in the body."]}
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = changesets.changeset_apply(**serializer.validated_data)
        data = ChangesetResultSerializer(result, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)
