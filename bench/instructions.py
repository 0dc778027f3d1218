"""Instructions per SCIM operation, counted by valgrind's callgrind: `make bench-instructions`.

Seconds of CPU move with the host: on the shared 2-core machine `make bench-inprocess` moved by
±10–15% on busy days and `make bench` by more, which hides a change worth a few percent.
Instruction counts do not move with the host: the same code, data and environment give the same
count within about 1%, whatever else the machine is doing. They count only this process's own
user-space work (not PostgreSQL's, Redis's or the kernel's, and a cache miss costs one
instruction like any other), so they compare the Python side of two versions of the code; the
whole server's figures stay `make bench`'s.

Each operation of bench/inprocess.py runs in a process of its own under callgrind with
instrumentation off (about four times slower than native instead of fifty) through its set-up and
warm-up; then `callgrind_control` switches it on for `--requests` calls and the batch's activity
records, written as one batch as a busy worker writes them. Two processes run at a time, one per
core. PYTHONHASHSEED is fixed so that dictionaries and sets iterate alike from run to run.

Needs valgrind (Debian's package: the Makefile target installs it) and the bench database seeded
(`make bench` once, or `manage.py bench_seed`).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.inprocess import arguments, operations, setup, shares  # noqa: E402

OPERATIONS = (
    "ceiling",
    "lookup (miss)",
    "lookup (hit)",
    "create POST",
    "GET by id",
    "update PUT",
    "deactivate PATCH",
)
WARM_UP = 40
COLLECTED = re.compile(r"Collected : (\d+)")


def child(operation: str, requests: int, database_url: str, redis_url: str) -> None:
    """Under callgrind: set up, warm up uninstrumented, then count `requests` calls."""
    setup(database_url, redis_url)
    from integrations.activity_log import activity_log

    steps = operations(requests + WARM_UP)
    for i in range(WARM_UP):  # the users the reads and updates use, and every code path warmed
        steps["create POST"](1_000_000 + i)
    for i in range(WARM_UP):
        steps[operation](2_000_000 + i)
    activity_log.flush()
    instrument = ["callgrind_control", "--instr=on", str(os.getpid())]
    subprocess.run(instrument, check=True, capture_output=True)
    for i in range(requests):
        steps[operation](i)
    activity_log.flush()
    subprocess.run([*instrument[:1], "--instr=off", str(os.getpid())], check=True, capture_output=True)
    activity_log.close()


def count(operation: str, args) -> int:
    """Instructions of `args.requests` calls of `operation`, counted in a child under callgrind."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "PYTHONHASHSEED": "0",
            # Only the explicit flushes write records: no writer tick lands inside the count.
            "SCIM_ACTIVITY_FLUSH_SECONDS": "3600",
        }
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={scratch}/callgrind.out",
                sys.executable,
                __file__,
                "--child",
                operation,
                "--requests",
                str(args.requests),
                "--database-url",
                args.database_url,
                "--redis-url",
                args.redis_url,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    found = COLLECTED.findall(done.stderr)
    if done.returncode or not found:
        output = done.stdout[-2000:] + done.stderr[-2000:]
        sys.exit(f"{operation}: callgrind run failed ({done.returncode}):\n{output}")
    return int(found[-1])


def main() -> None:
    parser = arguments(__doc__, 150, "counted calls per operation")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.requests, args.database_url, args.redis_url)
        return
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = dict(
            zip(OPERATIONS, pool.map(lambda operation: count(operation, args), OPERATIONS), strict=True)
        )
    per_call = {operation: total / args.requests / 1000 for operation, total in counts.items()}
    print(f"Instructions per request (thousands), {args.requests} requests each, bench-100k:")
    for operation, thousands in per_call.items():
        print(f"   {operation:18s} {thousands:8.0f}k   {thousands / per_call['ceiling']:.2f}× ceiling")
    push, push_share, mix, mix_share = shares(per_call)
    print(
        f"   okta-push mix of these {push:.0f}k, ceiling ÷ it {push_share:.0%}; "
        f"okta-mix {mix:.0f}k, ceiling ÷ it {mix_share:.0%}"
    )


if __name__ == "__main__":
    main()
