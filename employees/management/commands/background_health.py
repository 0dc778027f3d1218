"""Health of the background work: queue depth and the oldest unfinished item, for operators and monitors."""

import json

from django.core.management.base import BaseCommand, CommandError

from employees.health import background_report


class Command(BaseCommand):
    help = "Show the Celery queue depth and the oldest pending deactivation and manager link."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument(
            "--max-age",
            type=float,
            default=None,
            help="Exit with an error when a deactivation has waited longer than this many seconds.",
        )

    def handle(self, *args, json: bool = False, max_age: float | None = None, **options):
        report = background_report()
        if json:
            self.stdout.write(_dumps(report))
        else:
            self.stdout.write(_text(report))
        oldest = report["oldest_deactivation_pending_seconds"]
        if max_age is not None and oldest is not None and oldest > max_age:
            raise CommandError(f"A deactivation has waited {oldest:.0f} s (limit {max_age:.0f} s).")


def _dumps(report: dict) -> str:
    return json.dumps(report, sort_keys=True)


def _text(report: dict) -> str:
    def oldest(seconds):
        return f"oldest {seconds:.0f} s" if seconds is not None else "none"

    if report.get("broker_error"):
        queue = f"broker unreachable: {report['broker_error']}"
    elif report["queue"] is None:
        queue = "none (tasks run in-process)"
    else:
        queue = f"{report['queue']}: {report['queued']} queued, {report['unacknowledged']} unacknowledged"
    return "\n".join(
        [
            f"queue: {queue}",
            f"deactivations pending: {report['deactivations_pending']} "
            f"({oldest(report['oldest_deactivation_pending_seconds'])})",
            f"manager links pending: {report['manager_links_pending']} "
            f"({oldest(report['oldest_manager_link_pending_seconds'])})",
            f"manager links unresolved: {report['manager_links_unresolved']}",
        ]
    )
