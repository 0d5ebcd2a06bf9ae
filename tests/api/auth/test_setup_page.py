"""The setup page and `doorstep serve`'s link: the first admin made in the browser, once."""

from __future__ import annotations

from api.cli.serve import addresses
from api.ops.access_log import hide_tokens
from bot.access import setup
from bot.access.users import Role
from bot.service import Service
from tests.support.auth import PASSWORD, add_user, client_for, sign_in


def issue(service: Service) -> str:
    with service.database.engine.begin() as connection:
        token = setup.issue_setup_token(connection, service.engine.clock())
    assert token is not None
    return token


def test_serve_prints_the_link_only_while_no_one_can_sign_in() -> None:
    lines = addresses("127.0.0.1", 8000, "abc123")
    assert "  http://127.0.0.1:8000/console/setup?token=abc123" in lines
    assert "works once, for 60 minutes" in " ".join(lines)
    assert not [line for line in addresses("127.0.0.1", 8000) if "setup" in line]
    assert hide_tokens("/console/setup?token=abc123") == "/console/setup?token=[hidden]"


def test_the_link_makes_the_first_admin_once(service: Service) -> None:
    token = issue(service)
    with client_for(service) as client:
        assert "prints a one-time setup link" in client.get("/").text
        form = client.get("/console/setup", params={"token": token})
        assert form.status_code == 200 and 'name="password_again"' in form.text

        mismatch = {"token": token, "email": "boss@example.org", "password": PASSWORD,
                    "password_again": PASSWORD + "x"}  # fmt: skip
        wrong = client.post("/console/setup", data=mismatch)
        assert wrong.status_code == 422 and "not the same" in wrong.text

        done = client.post("/console/setup", data={**mismatch, "password_again": PASSWORD})
        assert done.status_code == 200 and "boss@example.org is ready" in done.text
        sign_in(client, "boss@example.org")

        again = client.get("/console/setup", params={"token": token})
        assert again.status_code == 403 and "already exists" in again.text
        assert "prints a one-time setup link" not in client.get("/").text


def test_an_unknown_link_is_refused_in_a_sentence(service: Service) -> None:
    with client_for(service) as client:
        page = client.get("/console/setup", params={"token": "guess"})
        assert page.status_code == 403
        assert "expired or is not valid" in page.text and "Traceback" not in page.text
        posted = client.post(
            "/console/setup",
            data={"token": "guess", "email": "a@example.org", "password": PASSWORD,
                  "password_again": PASSWORD},
        )  # fmt: skip
        assert posted.status_code == 403
    add_user(service, "someone@example.org", Role.ADMIN)
    with service.database.engine.begin() as connection:
        assert setup.issue_setup_token(connection, service.engine.clock()) is None
