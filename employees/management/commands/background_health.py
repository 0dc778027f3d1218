"""Health of the background work: heartbeats, queue depth and the oldest due item per kind."""

import json

from django.core.management.base import BaseCommand, CommandError

from engagedly_portal.health import background_problems, background_report


class Command(BaseCommand):
    help = "Show the worker and beat heartbeats, the queue depth and the oldest due background work."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument(
            "--max-age",
            type=float,
            default=None,
            help="Exit with an error when a deactivation, or a manager link whose manager exists, "
            "has waited longer than this many seconds.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Exit with an error whenever /healthz/background/probe would answer 503.",
        )

    def handle(self, *args, json: bool = False, max_age: float | None = None, check: bool = False, **options):
        report = background_report()
        problems = background_problems(report)
        self.stdout.write(_dumps({"problems": problems, **report}) if json else _text(report, problems))
        if max_age is not None:
            for key in ("oldest_deactivation_pending_seconds", "oldest_manager_link_due_seconds"):
                oldest = report[key]
                if oldest is not None and oldest > max_age:
                    raise CommandError(f"{key.replace('_', ' ')}: {oldest:.0f} (limit {max_age:.0f}).")
        if check and problems:
            raise CommandError("; ".join(problems))


def _dumps(report: dict) -> str:
    return json.dumps(report, sort_keys=True)


def _text(report: dict, problems: list[str]) -> str:
    def oldest(seconds):
        return f"oldest {seconds:.0f} s" if seconds is not None else "none"

    def seen(seconds):
        return f"{seconds:.0f} s ago" if seconds is not None else "never"

    if report.get("broker_error"):
        queue = f"broker unreachable: {report['broker_error']}"
    elif report["queue"] is None:
        queue = "none (tasks run in-process)"
    else:
        queue = f"{report['queue']}: {report['queued']} queued, {report['unacknowledged']} unacknowledged"
    return "\n".join(
        [
            f"status: {'; '.join(problems) if problems else 'ok'}",
            f"worker last seen: {seen(report['worker_last_seen_seconds'])}",
            f"beat last seen: {seen(report['beat_last_seen_seconds'])}",
            f"queue: {queue}",
            f"deactivations pending: {report['deactivations_pending']} "
            f"({oldest(report['oldest_deactivation_pending_seconds'])})",
            f"manager links due (manager exists): {report['manager_links_due']} "
            f"({oldest(report['oldest_manager_link_due_seconds'])})",
            f"manager links waiting for their manager: {report['manager_links_waiting_for_manager']} "
            f"({oldest(report['oldest_manager_link_waiting_seconds'])})",
            f"manager links unresolved: {report['manager_links_unresolved']}",
            f"SCIM activity records dropped: {report['activity_records_dropped']}",
        ]
    )
