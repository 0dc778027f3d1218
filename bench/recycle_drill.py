"""What a client sees while gunicorn replaces its workers, with and without preloading.

    .venv/bin/python bench/recycle_drill.py                  # GUNICORN_PRELOAD=1, then =0
    .venv/bin/python bench/recycle_drill.py --seconds 30 --max-requests 1000

`make serve` and `make worker` of the working tree, as shipped but for GUNICORN_MAX_REQUESTS
(1,500 here against 20,000, so that a worker is replaced every few seconds) and GUNICORN_PRELOAD.
16 clients each read users by id over a keep-alive connection of their own, as a proxy's upstream
connections would, and the drill prints how many answers took over 0.5 s, and the slowest.
"""

import argparse
import asyncio
import random
import time
from dataclasses import dataclass, field

import aiohttp
import psycopg
from load import latency
from run import POSTGRES, ROOT, Side
from seed import BENCH_SLUG

SLOW_SECONDS = 0.5


@dataclass
class DrillSide(Side):
    extra: dict = field(default_factory=dict)

    @property
    def env(self) -> dict:
        return {**super().env, **self.extra}


async def read_users(connections: list[tuple[str, str]], ids: list[int], seconds: float) -> list[float]:
    took: list[float] = []
    end = time.monotonic() + seconds

    async def client(n: int) -> None:
        base, token = connections[n % len(connections)]
        headers = {"Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
            while time.monotonic() < end:
                started = time.monotonic()
                async with session.get(f"{base}/Users/{random.choice(ids)}", headers=headers) as answer:
                    await answer.read()
                    if answer.status != 200:
                        raise RuntimeError(f"GET /Users answered {answer.status}")
                took.append(time.monotonic() - started)

    await asyncio.gather(*(client(n) for n in range(16)))
    return took


def employee_ids() -> list[int]:
    with psycopg.connect(f"{POSTGRES}/portal_bench_recycle") as conn:
        rows = conn.execute(
            "SELECT e.id FROM employees_employee e JOIN employees_organization o ON o.id = e.organization_id"
            " WHERE o.slug = %s LIMIT 2000",
            (BENCH_SLUG,),
        ).fetchall()
    return [row[0] for row in rows]


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=1500)
    parser.add_argument("--port", type=int, default=8132)
    args = parser.parse_args()
    side = DrillSide("recycle", "the working tree", ROOT, 6, args.port)
    side.reset()
    side.start()
    try:
        side.seed(argparse.Namespace(size=2000, other=2000, connections=16))
    finally:
        side.stop()
    ids = employee_ids()
    for preload in ("1", "0"):
        side.extra = {"GUNICORN_MAX_REQUESTS": str(args.max_requests), "GUNICORN_PRELOAD": preload}
        logged = len(side.log("serve").read_text())
        side.start()
        try:
            took = asyncio.run(read_users(side.connections, ids, args.seconds))
        finally:
            side.stop()
        replaced = side.log("serve").read_text()[logged:].count("Booting worker") - 2
        slow, figures = sum(seconds > SLOW_SECONDS for seconds in took), latency(took)
        print(
            f"GUNICORN_PRELOAD={preload}: {len(took)} answers, about {replaced} workers replaced, "
            f"p50 {figures['p50_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms, "
            f"over {SLOW_SECONDS} s: {slow}, slowest {max(took) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
