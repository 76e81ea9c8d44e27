"""The change feed over the API: every write in commit order, from a cursor."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse

from registry.api.permissions import CanReadRegistry
from registry.api.serializers import (
    ChangeFeedSerializer,
)
from registry.api.serializers.history import feed_entry
from registry.api.views.base import ConditionalAnswersMixin, shows_usernames
from registry.changes import feed


class ChangesView(ConditionalAnswersMixin, generics.GenericAPIView):
    """The registry-wide change feed, in commit order, for incremental sync (deletions included).

    Start with nothing (the whole history) or `since=<ISO 8601 timestamp>`, then pass the `next_cursor` of each
    answer as `cursor` until `next` is null; keep the last `next_cursor` to poll again later. Every write appears
    exactly once, in the order its transaction committed, as soon as it has committed: nothing is ever placed behind a
    cursor, and a cursor stays valid across a backup and restore (cursors issued before feed positions still work).
    """

    permission_classes = [CanReadRegistry]
    serializer_class = ChangeFeedSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.DATETIME, description="Start with the changes written after this moment."
            ),
            OpenApiParameter(
                "cursor", {"type": "string", "minLength": 1}, description="The next_cursor of a previous answer."
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 500},
                description="Entries per answer, 1 to 500 (default 100).",
            ),
        ]
    )
    def get(self, request):
        # A plain dict, not the QueryDict: DRF reads "" in a QueryDict as "not given", and `since=` must be a 400.
        query = ChangesQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        cursor, since, limit = (query.validated_data.get(name) for name in ("cursor", "since", "limit"))
        start = feed.Position.decode(cursor) if cursor else feed.position_before_moment(since) if since else None
        entries = feed.entries_after(start, limit)
        last = feed.Position.of(entries[-1]) if entries else start
        next_cursor = last.encode() if last else None
        next_url = None
        if len(entries) == limit:
            next_url = reverse("registry-api:changes", request=request) + f"?cursor={next_cursor}&limit={limit}"
        show_users = shows_usernames(request)
        results = [feed_entry(entry, show_users=show_users) for entry in entries]
        return Response({"results": results, "next_cursor": next_cursor, "next": next_url})


class ChangesQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(required=False)
    cursor = serializers.CharField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)
