"""What every identity provider's sign-in comes down to, and how the portal says no."""

from dataclasses import dataclass, field


class SsoRefused(Exception):
    """A sign-in the portal refuses; the message is what the person reads."""


@dataclass
class Identity:
    """Who the identity provider says signed in."""

    subject: str
    email: str
    first_name: str = ""
    last_name: str = ""
    attributes: dict = field(default_factory=dict)
