"""`make run` seeds the demo on every run: the admin's password and sessions survive reruns."""

import io
import re

from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client, RequestFactory

from employees.models import Employee

ADMIN = "admin@acme.example"


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    return re.search(r"password: (\S+)", output)[1]


def signed_in_client(password: str) -> Client:
    client = Client()
    # With a request, as a sign-in has one: django-axes counts failures per request's address.
    assert client.login(request=RequestFactory().post("/login/"), username=ADMIN, password=password)
    return client


def still_signed_in(client: Client) -> bool:
    return client.get("/employees/").status_code == 200 and SESSION_KEY in client.session


def test_a_rerun_keeps_the_password_and_the_session(db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    password = printed_password(seed())
    client = signed_in_client(password)
    second = seed()
    assert password not in second and "password: unchanged" in second
    assert still_signed_in(client)
    assert Employee.objects.get(email=ADMIN).user.check_password(password)


def test_demo_password_sets_the_chosen_one_and_a_repeat_changes_nothing(db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    seed()
    monkeypatch.setenv("DEMO_PASSWORD", "chosen-Demo-123")
    assert printed_password(seed()) == "chosen-Demo-123"
    client = signed_in_client("chosen-Demo-123")
    assert "password: unchanged" in seed()
    assert still_signed_in(client)


def test_a_reset_gives_a_new_password_and_signs_the_admin_out(db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    old = printed_password(seed())
    client = signed_in_client(old)
    new = printed_password(seed("--reset-password"))
    assert new != old
    assert not still_signed_in(client)
    signed_in_client(new)
