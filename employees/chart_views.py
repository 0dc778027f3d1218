"""The org chart, drawn from the manager links: the top (or one person's line) first, branches on demand."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import selectors
from .decorators import employee_required
from .models import Employee

SEARCH_RESULTS = 20


@dataclass
class Node:
    person: Employee
    # None: not loaded yet (the page fetches the branch when it is opened).
    children: "list[Node] | None" = None
    focus: bool = False
    more: int = 0  # reports left out past the branch limit


def _branch(people, *, limit: int = selectors.CHART_BRANCH_LIMIT) -> tuple[list[Node], int]:
    rows = list(people[: limit + 1])
    shown = [Node(person) for person in rows[:limit]]
    return shown, (people.count() - limit if len(rows) > limit else 0)


def _focus_tree(organization, focus: Employee) -> tuple[list[Node], int]:
    """The roots, with the line down to `focus` open and each level's other reports closed."""
    chain = selectors.employee_chain(employee=focus)
    roots, more = _branch(selectors.chart_roots(organization=organization))
    level = roots
    for depth, person in enumerate(chain):
        node = next((n for n in level if n.person.pk == person.pk), None)
        if node is None:  # past the branch limit: show it anyway, after the others
            node = Node(person)
            level.append(node)
        node.children, node.more = _branch(selectors.chart_reports(employee=person))
        if depth == len(chain) - 1:
            node.focus = True
        level = node.children
    return roots, more


def _page_int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 12 else None


@login_required
@employee_required
def chart(request):
    organization = request.employee.organization
    search = request.GET.get("q", "").strip()[:200]
    focus_pk = _page_int(request.GET.get("focus"))
    if request.GET.get("focus") and focus_pk is None:
        raise Http404("No such person.")
    results = []
    if search:
        results = list(
            selectors.employee_list(organization=organization, search=search, status=Employee.Status.ACTIVE)[
                :SEARCH_RESULTS
            ]
        )
    if focus_pk is not None:
        focus = selectors.chart_person(organization=organization, pk=focus_pk)
        roots, more = _focus_tree(organization, focus)
    else:
        focus = None
        roots, more = _branch(selectors.chart_roots(organization=organization))
    context = {"nodes": roots, "more": more, "focus": focus, "search": search, "results": results}
    return render(request, "employees/chart.html", context)


@login_required
@employee_required
def chart_branch(request, pk: int):
    """One person's direct reports, as the fragment the chart inserts when a branch opens."""
    person = selectors.chart_person(organization=request.employee.organization, pk=pk)
    nodes, more = _branch(selectors.chart_reports(employee=person))
    return render(request, "employees/includes/chart_nodes.html", {"nodes": nodes, "more": more})
