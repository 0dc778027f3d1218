"""Create a SCIM connection for an organization and print its base URL and token as JSON."""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from employees.models import Organization
from integrations import services
from integrations.models import Connection


class Command(BaseCommand):
    help = 'Create a SCIM connection; prints {"base_url": ..., "token": ...} (the token is shown only once).'

    def add_arguments(self, parser):
        parser.add_argument("org_slug")
        parser.add_argument("name")
        parser.add_argument(
            "--base",
            default="",
            help="Origin for the base URL (default PUBLIC_BASE_URL or http://127.0.0.1:8000)",
        )
        parser.add_argument(
            "--provider",
            default="okta",
            choices=Connection.Provider.values,
            help="Identity provider (default okta)",
        )

    def handle(self, *args, org_slug: str, name: str, base: str, provider: str = "okta", **options):
        organization = Organization.objects.filter(slug=org_slug).first()
        if organization is None:
            raise CommandError(f"No organization with slug {org_slug!r}.")
        try:
            created = services.connection_create(organization=organization, name=name, provider=provider)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        origin = (base or settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000").rstrip("/")
        path = reverse("scim:root", kwargs={"public_id": created.connection.public_id})
        self.stdout.write(
            json.dumps({"base_url": origin + path.rstrip("/"), "token": created.plaintext_token})
        )
