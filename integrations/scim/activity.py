"""What the activity record keeps of a request: method, masked path, outcome. Never bodies."""

import re
from urllib.parse import unquote

EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)")


def mask_emails(text: str) -> str:
    """`ava.nguyen@example.com` → `a***@example.com`: enough to tell requests apart, no address."""
    return EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def recorded_path(full_path: str) -> str:
    return mask_emails(unquote(full_path.replace("+", " ")))[:500]


def outcome_for(status: int) -> str:
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "client_error"
    return "success"
