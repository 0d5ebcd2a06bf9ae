"""The first minutes and a broken database: the front page, offline API docs, `/health`, 503s."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from bot.access import users
from bot.engine.engine import Engine
from bot.service import Service
from bot.storage.db import Database
from channels.registry import ChannelRegistry
from tests.support.auth import PASSWORD, add_user, client_for
from tests.support.database import read_only_url, where
from tests.support.services import Clock

FIRST_ADMIN = "doorstep user create --role admin"


def test_the_front_page_says_what_this_is_and_where_to_go(service: Service) -> None:
    with client_for(service) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert '<html lang="en">' in page.text and "<main" in page.text
        links = set(re.findall(r'href="([^"]+)"', page.text))
        assert {"/chat", "/console/", "/docs", "/redoc"} <= links
        assert "asks tenants short questions" in page.text
        assert FIRST_ADMIN in page.text  # nobody can sign in yet

        add_user(service, "admin@example.org", users.Role.ADMIN)
        assert FIRST_ADMIN not in client.get("/").text


def test_the_api_docs_load_nothing_from_other_hosts(service: Service) -> None:
    with client_for(service) as client:
        for path in ("/docs", "/redoc"):
            page = client.get(path)
            assert page.status_code == 200
            assets = re.findall(r'(?:src|href)="([^"]+)"|url: ?\'([^\']+)\'', page.text)
            urls = [url for pair in assets for url in pair if url]
            assert urls, page.text
            assert not [url for url in urls if re.match(r"(https?:)?//", url)], urls
            for url in urls:
                assert client.get(url).status_code == 200, url


def test_health_is_ok_when_the_database_takes_writes(service: Service) -> None:
    with client_for(service) as client:
        answer = client.get("/health")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


@pytest.fixture
def read_only_client(service: Service, database_url: str, clock: Clock) -> Iterator[TestClient]:
    """The app on the same database, opened read-only (as a chmod 444 file behaves)."""
    database = Database(read_only_url(database_url))
    engine = Engine(database, service.registry, service.settings, clock)
    broken = Service(service.settings, database, service.registry, engine)
    app = create_app(broken.settings, broken, ChannelRegistry([]), background=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    database.dispose()


def test_health_reports_a_read_only_database(
    read_only_client: TestClient, database_url: str
) -> None:
    answer = read_only_client.get("/health")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "unavailable"
    assert where(database_url) in body["database"] and "DOORSTEP_DATABASE_URL" in body["database"]


def test_requests_that_need_a_write_get_a_sentence_not_a_500(
    service: Service, read_only_client: TestClient
) -> None:
    add_user(service, "officer@example.org", users.Role.OFFICER)  # before it went read-only
    signed_in = read_only_client.post(
        "/api/auth/login", json={"email": "officer@example.org", "password": PASSWORD}
    )
    assert signed_in.status_code == 503
    assert signed_in.json() == {
        "detail": "Doorstep cannot save anything just now; please try again in a few minutes."
    }
    assert signed_in.headers["retry-after"] == "60"

    chat = read_only_client.get("/chat", headers={"Accept": "text/html"})
    assert chat.status_code == 503
    assert "<h1>Doorstep cannot save anything just now</h1>" in chat.text
    assert "Traceback" not in chat.text and "sqlite" not in chat.text.lower()
