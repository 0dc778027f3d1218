"""What the activity record keeps of a request: method, masked path, outcome. Never bodies."""

import hashlib
import hmac
import re
from urllib.parse import unquote

from django.conf import settings

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


# userName eq "x" in a filter, as Okta's create lookup and Entra ID's probe send it.
USER_NAME_EQ = re.compile(r'^\s*userName\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def person_digest(user_name: str) -> str:
    """A keyed digest of a userName, case-folded: an admin who types the full address finds the
    requests that concerned it, while the record itself keeps no address."""
    key = b"scim-activity-person:" + settings.SECRET_KEY.encode()
    return hmac.new(key, user_name.strip().casefold().encode(), hashlib.sha256).hexdigest()


def subject_fields(user_name: str) -> dict[str, str]:
    """The record's `subject` (masked, for display) and `subject_digest` (for search)."""
    if not user_name:
        return {}
    return {"subject": mask_emails(user_name)[:254], "subject_digest": person_digest(user_name)}


def user_name_in_body(body) -> str:
    value = body.get("userName") if isinstance(body, dict) else None
    return value[:254] if isinstance(value, str) else ""


def user_name_in_filter(filter_text: str) -> str:
    match = USER_NAME_EQ.match(filter_text[:600])
    return match.group(1)[:254] if match else ""
