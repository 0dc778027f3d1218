"""A connection's held deactivations (the deactivation brake): list them, apply or keep active.

Decisions go through integrations.held with the key's owner as the actor, so they are recorded
(guardrail decisions and the audit trail) exactly as the connection's page records them.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from integrations import held, selectors

from ..pagination import OldestFirst
from ..permissions import acting_employee
from ..serializers import HeldDeactivationSerializer, HeldDecisionSerializer, HeldOutcomeSerializer
from .common import ApiView


class HeldListView(ApiView):
    pagination_class = OldestFirst

    @extend_schema(operation_id="held_list", responses=HeldDeactivationSerializer(many=True))
    def get(self, request, pk: int):
        connection = selectors.connection_get(organization=acting_employee(request).organization, pk=pk)
        page = self.paginate_queryset(held.held_list(connection=connection))
        return self.get_paginated_response(HeldDeactivationSerializer(page, many=True).data)


class _HeldDecisionView(ApiView):
    decide = None  # integrations.held.held_apply or held_keep

    def post(self, request, pk: int):
        connection = selectors.connection_get(organization=acting_employee(request).organization, pk=pk)
        held_ids = list(held.held_list(connection=connection).values_list("pk", flat=True))
        serializer = HeldDecisionSerializer(data=request.data, context={"held_ids": held_ids})
        serializer.is_valid(raise_exception=True)
        outcome = self.decide(connection=connection, ids=serializer.chosen(), actor=request.user)
        body = {
            "done": outcome.done,
            "refused": outcome.refused,
            "still_held": held.held_list(connection=connection).count(),
        }
        return Response(HeldOutcomeSerializer(body).data)


class HeldApplyView(_HeldDecisionView):
    decide = staticmethod(held.held_apply)

    @extend_schema(
        operation_id="held_apply",
        request=HeldDecisionSerializer,
        responses=HeldOutcomeSerializer,
        description=(
            "Deactivates the chosen people through the normal pipeline. The organization's last "
            "active admin is refused (named in `refused`) and stays held. Deciding on everything "
            "held resets the connection's brake."
        ),
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


class HeldKeepView(_HeldDecisionView):
    decide = staticmethod(held.held_keep)

    @extend_schema(
        operation_id="held_keep",
        request=HeldDecisionSerializer,
        responses=HeldOutcomeSerializer,
        description=(
            "Keeps the chosen people active; the identity provider reads `active: true` again (and a "
            "person it deleted is visible to it again), so its next import shows the difference."
        ),
    )
    def post(self, request, pk: int):
        return super().post(request, pk)
