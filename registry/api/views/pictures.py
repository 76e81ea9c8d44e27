"""Pictures over the API: a body's chart on a day and a post's holders over time, as print-ready SVG.

The chart is drawn from the read the JSON ``chart`` action serves (``selectors.organization_chart``); both pictures
are drawn by ``registry.interop.pictures``. Their words are Vietnamese unless ``?lang=en`` or ``Accept-Language``
asks for English. Errors stay JSON, in the API's one error shape.
"""

from drf_spectacular.plumbing import get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from registry import clock, selectors
from registry.api.schema import RegistryAutoSchema
from registry.api.views.base import AS_OF, AsOfMixin, ConditionalAnswersMixin
from registry.http.language import PAGE_LANGUAGES, picture_language
from registry.interop import pictures, svg
from registry.models import Organization, Post
from registry.selectors.evidence import with_last_confirmed

MEDIA_TYPE = "image/svg+xml"
LANGUAGE = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=list(PAGE_LANGUAGES),
    description="The picture's language: vi (the default) or en. Without it, `Accept-Language` chooses.",
)
ACCEPT_LANGUAGE = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="`en` for English words in the picture (when `lang` is not given); Vietnamese otherwise.",
)
SLUG = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The body's slug, as in `/organizations/{slug}/`."
)
POST_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The post's id.")
SVG = {
    (200, MEDIA_TYPE): OpenApiResponse(
        OpenApiTypes.STR,
        description="An SVG document, A4 wide (210 mm), with no external references; print it or open it in a browser.",
    )
}
PDF = {
    (200, "application/pdf"): OpenApiResponse(
        OpenApiTypes.BINARY,
        description="The same chart as a PDF, A4 wide (210 mm); 503 if this server cannot draw PDF.",
    )
}


class SVGRenderer(BaseRenderer):
    """Declares image/svg+xml for content negotiation; the picture is the response's data, already drawn."""

    media_type = MEDIA_TYPE
    format = "svg"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode(self.charset)


class PDFRenderer(SVGRenderer):
    """Declares application/pdf; the PDF is the response's data, already drawn."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PDFUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "PDF is not available on this server (no cairo library); the SVG chart is."
    default_code = "pdf_unavailable"


class PictureSchema(RegistryAutoSchema):
    """The picture is image/svg+xml (or application/pdf); its errors are JSON. Described by its handler."""

    def get_description(self):
        return get_doc(getattr(self.view, self.method.lower()))

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        if not str(status_code).startswith("2"):
            media_types = ["application/json"]
        return super()._get_response_for_code(serializer, status_code, media_types, direction)


class PictureView(ConditionalAnswersMixin, GenericAPIView):
    renderer_classes = [SVGRenderer]
    schema = PictureSchema()
    filter_backends = []
    pagination_class = None

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and not isinstance(response.data, str | bytes):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    def language(self, request) -> str:
        """The picture's language; a ``lang`` that is neither language is a 400 naming it, as the schema's enum says."""
        asked = request.query_params.get("lang")
        if asked is not None and asked not in PAGE_LANGUAGES:
            raise serializers.ValidationError({"lang": [f"Expected one of: {', '.join(PAGE_LANGUAGES)}."]})
        return picture_language(request)

    @staticmethod
    def picture(drawn: str | bytes, filename: str) -> Response:
        response = Response(drawn)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response


class OrganizationChartPicture(AsOfMixin, PictureView):
    queryset = Organization.objects.all()
    lookup_field = "slug"
    suffix = "svg"

    @extend_schema(
        operation_id="organizations_chart_svg",
        parameters=[SLUG, AS_OF, LANGUAGE, ACCEPT_LANGUAGE],
        responses=SVG,
        filters=False,
    )
    def get(self, request, slug=None):
        """The body's chart on a day as a print-ready SVG.

        The same chart as `GET /api/v1/organizations/{slug}/chart/`, drawn for print on A4: the body, its posts in
        rank order with their holders' names and dates, vacant seats (a source states them empty) and unknown seats
        (nobody known) drawn differently, a legend, the day and the date of the newest source. Vietnamese unless
        `lang=en` or `Accept-Language: en`. `chart.pdf` is the same as PDF.
        """
        language = self.language(request)
        chart = selectors.organization_chart(self.get_object(), self.as_of)
        drawn = pictures.chart_svg(chart, language)
        return self.picture(
            self.convert(drawn), f"chart-{chart.organization.slug}-{chart.as_of.isoformat()}.{self.suffix}"
        )

    def convert(self, drawn: str) -> str | bytes:
        return drawn


class OrganizationChartPDF(OrganizationChartPicture):
    renderer_classes = [PDFRenderer]
    suffix = "pdf"

    @extend_schema(
        operation_id="organizations_chart_pdf",
        parameters=[SLUG, AS_OF, LANGUAGE, ACCEPT_LANGUAGE],
        responses=PDF,
        filters=False,
    )
    def get(self, request, slug=None):
        """The body's chart on a day as PDF, for print.

        The SVG chart (`chart.svg`) converted by CairoSVG. 503 when the server lacks the cairo library; the SVG is
        always there.
        """
        return super().get(request, slug)

    def convert(self, drawn: str) -> bytes:
        try:
            return svg.pdf(drawn)
        except svg.PDFUnavailable:
            raise PDFUnavailable() from None


class PostTimelinePicture(PictureView):
    queryset = Post.objects.select_related("organization")

    @extend_schema(operation_id="posts_timeline_svg", parameters=[POST_ID, LANGUAGE, ACCEPT_LANGUAGE], responses=SVG)
    def get(self, request, pk=None):
        """The post's holders over time as a print-ready SVG timeline.

        A bar per appointment with its dates; exact and approximate dates (attested, inferred) are drawn differently,
        an open end as an arrow. Stretches nobody is known to hold, and those a source states vacant, are marked.
        Vietnamese unless `lang=en` or `Accept-Language: en`.
        """
        language = self.language(request)
        post = self.get_object()
        appointments = with_last_confirmed(post.appointments.select_related("person")).order_by("start_date", "id")
        drawn = pictures.timeline_svg(post, list(appointments), clock.today(), language)
        return self.picture(drawn, f"timeline-{post.slug}.svg")
