"""A connection's attribute mapping page (issue 20): the editable mapping and what the IdP sends."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import attributes, selectors
from ..forms import AttributeMappingForm
from .common import integrations_view


@integrations_view
@require_http_methods(["GET", "POST"])
def connection_mapping(request, pk: int):
    connection = selectors.connection_get(organization=request.employee.organization, pk=pk)
    rows = attributes.attribute_mapping_rows(connection=connection)
    reset = request.method == "POST" and "reset" in request.POST
    form = AttributeMappingForm(request.POST if request.method == "POST" and not reset else None, rows=rows)
    if reset or (request.method == "POST" and form.is_valid()):
        paths = {row.field: row.default for row in rows} if reset else form.cleaned_data
        try:
            attributes.attribute_mapping_set(connection=connection, paths=paths, actor=request.user)
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(field, problems)
        else:
            messages.success(request, "Mapping saved. It applies to the identity provider's next request.")
            return redirect("integrations:connection-mapping", pk=connection.pk)
    context = {
        "connection": connection,
        "form": form,
        "received": attributes.received_attributes(connection=connection),
        "recent_requests": attributes.RECENT_REQUESTS,
    }
    return render(request, "integrations/connection_mapping.html", context)
