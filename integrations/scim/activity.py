"""What the activity record keeps of a request: method, masked path, outcome. Never bodies."""

import re
from urllib.parse import unquote

EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)")


def mask_emails(text: str) -> str:
    """`ava.nguyen@example.com` → `a***@example.com`: enough to tell requests apart, no address."""
    if "@" not in text:  # most paths: no regex scan, which tries every position of every run
        return text
    return EMAIL.sub(r"\1***@\2", text)


def recorded_path(path: str, query_string: str = "") -> str:
    """The path as decoded, with the query string decoded too (filters are readable), emails masked."""
    if query_string:
        if "%" in query_string or "+" in query_string:
            query_string = unquote(query_string.replace("+", " "))
        path = f"{path}?{query_string}"
    return mask_emails(path)[:500]


def outcome_for(status: int) -> str:
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "client_error"
    return "success"
