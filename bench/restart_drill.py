"""A push of SCIM creates while PostgreSQL restarts: every answer is a 201 or a 503 with
Retry-After (429 past the rate limit), and every 201 is in the database afterwards.

    python bench/restart_drill.py BASE_URL TOKEN SECONDS DATABASE_URL

against `make serve` + `make worker` on that DATABASE_URL; restart PostgreSQL a few seconds in
(`pg_ctlcluster 15 <cluster> restart -m fast`, best on a throwaway cluster). It prints the count
of each status, the Retry-After values of the 503s, and how many 201s are missing from the
database (0 expected).
"""

import collections
import json
import sys
import threading
import time
import urllib.error
import urllib.request

import psycopg

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def main() -> None:
    base, token, seconds, database_url = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    run, stop = int(time.time()), time.monotonic() + seconds
    statuses, retry_after, created, lock = collections.Counter(), collections.Counter(), [], threading.Lock()

    def push(worker: int) -> None:
        n = 0
        while time.monotonic() < stop:
            n += 1
            username = f"drill{run}-{worker}-{n}@example.com"
            body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
                    "userName": username, "emails": [{"value": username, "type": "work"}], "active": True,
                    ENTERPRISE: {"manager": {"value": f"drill{run}-0-1@example.com"}}}  # fmt: skip
            request = urllib.request.Request(
                f"{base}/Users",
                data=json.dumps(body).encode(),
                method="POST",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    status, payload, wait = response.status, response.read(), None
            except urllib.error.HTTPError as error:
                status, payload, wait = error.code, error.read(), error.headers.get("Retry-After")
            except OSError as error:  # the server itself unreachable: not expected
                status, payload, wait = type(error).__name__, b"", None
            with lock:
                statuses[status] += 1
                if status == 201:
                    created.append(int(json.loads(payload)["id"]))
                if status == 503:
                    retry_after[wait] += 1

    threads = [threading.Thread(target=push, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with psycopg.connect(database_url) as connection:
        stored = {row[0] for row in connection.execute("SELECT id FROM employees_employee")}
    missing = [pk for pk in created if pk not in stored]
    print(json.dumps({"statuses": statuses, "retry_after": retry_after, "created": len(created),
                      "missing": len(missing)}))  # fmt: skip


if __name__ == "__main__":
    main()
