"""The People directory as CSV."""

from collections.abc import Iterator

from django.db.models import QuerySet

from engagedly_portal.csv_stream import cell, csv_writer

from .custom_fields import custom_value_display
from .models import CustomField, Employee

COLUMNS = (
    ("First name", "first_name"),
    ("Last name", "last_name"),
    ("Email", "email"),
    ("Job title", "job_title"),
    ("Department", "department"),
    ("Business unit", "business_unit"),
    ("Location", "location_city"),
    ("Employee ID", "employee_number"),
    ("Status", "status"),
)


def directory_csv_rows(employees: QuerySet[Employee], *, fields: list[CustomField]) -> Iterator[str]:
    writer = csv_writer()
    yield "\ufeff"  # a byte-order mark, so spreadsheet programs read UTF-8 names correctly
    yield writer.writerow(
        [label for label, _ in COLUMNS] + ["Manager email"] + [field.label for field in fields]
    )
    for employee in employees.iterator(chunk_size=1000):
        row = [getattr(employee, attribute) for _, attribute in COLUMNS]
        row.append(employee.manager.email if employee.manager_id else "")
        row += [custom_value_display(field, employee.custom_values.get(field.key)) for field in fields]
        yield writer.writerow([cell(value) for value in row])
