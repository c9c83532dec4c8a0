from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, renderers
from rest_framework.permissions import IsAuthenticated

from compliance.exports.api import JsonErrorsMixin
from incidents.models import Incident

from .build import load_case_file, render_case_file_pdf


class PDFRenderer(renderers.BaseRenderer):
    """Announces `application/pdf`; the view makes the body itself."""

    media_type = "application/pdf"
    format = "pdf"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("The case file is rendered by the view; errors are JSON.")


@extend_schema(tags=["incidents"])
class CaseFileView(JsonErrorsMixin, generics.GenericAPIView):
    """The PDF case file in the caller's edition: provider staff get the provider's (nothing
    internal to USPS); USPS staff the USPS edition, internal items marked."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [PDFRenderer]
    serializer_class = None

    @extend_schema(
        summary="The PDF case file",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                   401: OpenApiResponse(description="Not signed in."),
                   404: OpenApiResponse(description="No such case the caller may see."),
                   406: OpenApiResponse(description="A format other than PDF was asked for.")})
    def get(self, request, incident_pk):
        try:
            case_file = load_case_file(request.user, incident_pk)
        except Incident.DoesNotExist:
            raise Http404("No such incident.") from None
        response = HttpResponse(render_case_file_pdf(case_file),
                                content_type="application/pdf")
        name = case_file.incident.reference or f"draft-{case_file.incident.pk}"
        edition = "usps" if case_file.usps_edition else "provider"
        response["Content-Disposition"] = (f'attachment; filename="case-file-{name}-'
                                           f'{edition}.pdf"')
        return response
