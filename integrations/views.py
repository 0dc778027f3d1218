from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from employees.decorators import employee_required, integrations_permission_required


@login_required
@employee_required
@integrations_permission_required
def integrations_index(request):
    return render(request, "integrations/index.html", {"organization": request.employee.organization})
