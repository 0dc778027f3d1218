"""Connections and their SCIM tokens, as on Settings > Integrations > Okta."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from integrations import selectors, services

from ..pagination import NewestFirst
from ..permissions import MayManageIntegrations, ProvisioningEnabled, acting_employee
from ..serializers import (
    ConnectionCreatedSerializer,
    ConnectionCreateSerializer,
    ConnectionSerializer,
    TokenIssuedSerializer,
    TokenSerializer,
)
from .common import ApiView


def _render_connections(request, overviews, *, many: bool):
    def base_url(connection):
        return selectors.connection_base_url(connection=connection, request=request)

    return ConnectionSerializer(overviews, many=many, context={"base_url": base_url}).data


class ConnectionListView(ApiView):
    pagination_class = NewestFirst
    permission_classes = [MayManageIntegrations, ProvisioningEnabled]

    @extend_schema(operation_id="connections_list", responses=ConnectionSerializer(many=True))
    def get(self, request):
        organization = acting_employee(request).organization
        page = self.paginate_queryset(selectors.connection_overview_queryset(organization=organization))
        overviews = selectors.connection_overviews(connections=page, organization=organization)
        return self.get_paginated_response(_render_connections(request, overviews, many=True))

    @extend_schema(
        operation_id="connections_create",
        request=ConnectionCreateSerializer,
        responses={201: ConnectionCreatedSerializer},
        description="Creates a connection and its first SCIM token. The token is shown in this answer only.",
    )
    def post(self, request):
        serializer = ConnectionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.connection_create(
            organization=acting_employee(request).organization,
            name=serializer.validated_data["name"],
            provider=serializer.validated_data["provider"],
            created_by=request.user,
        )
        connection = created.connection
        body = {
            "id": connection.pk,
            "name": connection.name,
            "base_url": selectors.connection_base_url(connection=connection, request=request),
            "token": created.plaintext_token,
        }
        return Response(ConnectionCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class ConnectionDetailView(ApiView):
    @extend_schema(operation_id="connections_retrieve", responses=ConnectionSerializer)
    def get(self, request, pk: int):
        overview = selectors.connection_overview_get(
            organization=acting_employee(request).organization, pk=pk
        )
        return Response(_render_connections(request, overview, many=False))

    @extend_schema(
        operation_id="connections_destroy",
        responses={204: None},
        description="Syncing stops at once (its tokens answer 401); synced employees stay as they are.",
    )
    def delete(self, request, pk: int):
        connection = selectors.connection_get(organization=acting_employee(request).organization, pk=pk)
        services.connection_delete(connection=connection, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(ApiView):
    pagination_class = NewestFirst
    permission_classes = [MayManageIntegrations, ProvisioningEnabled]

    @extend_schema(operation_id="tokens_list", responses=TokenSerializer(many=True))
    def get(self, request, pk: int):
        connection = selectors.connection_get(organization=acting_employee(request).organization, pk=pk)
        page = self.paginate_queryset(selectors.token_queryset().filter(connection=connection))
        return self.get_paginated_response(TokenSerializer(page, many=True).data)

    @extend_schema(
        operation_id="tokens_create",
        request=None,
        responses={201: TokenIssuedSerializer},
        description="A new token; the old one keeps working until revoked (rotation without downtime).",
    )
    def post(self, request, pk: int):
        connection = selectors.connection_get(organization=acting_employee(request).organization, pk=pk)
        issued = services.token_issue(connection=connection, created_by=request.user)
        body = {"id": issued.token.pk, "token": issued.plaintext, "created_at": issued.token.created_at}
        return Response(TokenIssuedSerializer(body).data, status=status.HTTP_201_CREATED)


class TokenDetailView(ApiView):
    @extend_schema(
        operation_id="tokens_destroy",
        responses={204: None},
        description="Revokes the token: requests made with it are refused from now on.",
    )
    def delete(self, request, pk: int, token_pk: int):
        connection = selectors.connection_get(organization=acting_employee(request).organization, pk=pk)
        token = selectors.token_get(connection=connection, pk=token_pk)
        services.token_revoke(token=token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
