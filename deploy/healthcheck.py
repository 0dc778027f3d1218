"""Container health check of the web server: GET /healthz on this container's own port.

Standard library only (it runs every few seconds). It sends the first ALLOWED_HOSTS entry as the
Host header: the portal answers 400 to a host it does not serve, and the operator's list need not
include 127.0.0.1. /healthz is exempt from the HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT).
"""

import os
import sys
import urllib.request


def host() -> str:
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    first = hosts[0] if hosts else "localhost"
    # ".example.com" allows subdomains and "*" any host: any name under them will do.
    return "localhost" if first == "*" else first.lstrip(".")


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    request = urllib.request.Request(url, headers={"Host": host()})  # noqa: S310 (a fixed http URL)
    try:
        with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
