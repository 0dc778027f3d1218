def current_employee(request):
    return {"current_employee": getattr(request, "employee", None)}
