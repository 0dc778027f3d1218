from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import Serializer


def query_filters(request, serializer_class: type[Serializer]) -> dict:
    """Validated query parameters: an unknown choice or a malformed date is a 400, not ignored."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ApiView(GenericAPIView):
    """Authentication, permission and throttling come from REST_FRAMEWORK's defaults (settings.py)."""


class CsvApiView(ApiView):
    """An endpoint whose success is a CSV stream: errors answer JSON whatever the Accept header says."""

    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        return (JSONRenderer(), JSONRenderer.media_type)
