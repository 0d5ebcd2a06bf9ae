"""App-wide answers: request ids, typed errors as sentences or console pages, the rest logged."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.access import users
from bot.campaigns import service as campaign_service
from bot.service import Service
from tests.support.auth import add_key, add_user, bearer, client_for, sign_in

REQUEST_ID = re.compile(r"[0-9a-f]{32}")
TENANT, PHONE = "T-10042", "+447700900123"
UNKNOWN = "No campaign is called '999' (or has that number)."


@pytest.fixture
def client(service: Service) -> TestClient:
    return client_for(service)


@pytest.fixture
def officer(service: Service) -> dict[str, str]:
    return bearer(add_key(service, "officer", "officer-key"))


def test_every_answer_carries_a_request_id(client: TestClient) -> None:
    first, second = client.get("/health"), client.get("/health")
    assert REQUEST_ID.fullmatch(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    given = "0123456789abcdef0123456789abcdef"
    assert client.get("/health", headers={"X-Request-ID": given}).headers["x-request-id"] == given


def test_the_routers_own_errors_are_sentences_in_the_api(
    client: TestClient, officer: dict[str, str]
) -> None:
    wrong_method = client.delete("/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {
        "detail": "This address does not take DELETE requests; it takes GET."
    }
    assert wrong_method.headers["Allow"] == "GET"
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith("There is nothing at this address")
    # An error raised with its own words keeps them (not_found: the campaign's sentence).
    not_found = client.get("/api/campaigns/999", headers=officer)
    assert not_found.status_code == 404 and not_found.json() == {"detail": UNKNOWN}


def test_a_typed_error_is_its_sentence_in_json_and_a_page_on_the_console(
    client: TestClient, service: Service, officer: dict[str, str]
) -> None:
    answer = client.get("/api/campaigns/999", headers=officer)
    assert answer.status_code == 404
    assert answer.json() == {"detail": UNKNOWN}
    add_user(service, "officer@example.org", users.Role.OFFICER)
    sign_in(client, "officer@example.org")
    page = client.get("/console/campaigns/999")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert UNKNOWN in html.unescape(page.text)
    assert page.headers["x-request-id"] in page.text
    assert "Sign out" in page.text  # the console's layout, not a bare error


def _broken(connection: object, state: object = None) -> list[dict[str, object]]:
    raise RuntimeError(f"cannot list: parameters ({TENANT!r}, {PHONE!r})")


@pytest.fixture
def broken_listing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(campaign_service, "list_campaigns", _broken)
    yield


def test_an_unexpected_failure_is_a_sentence_with_the_id_and_logs_no_message(
    client: TestClient,
    officer: dict[str, str],
    broken_listing: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    answer = client.get("/api/campaigns", headers=officer)
    assert answer.status_code == 500
    ref = answer.headers["x-request-id"]
    assert answer.json() == {"detail": f"Sorry, something went wrong on our side (ref {ref})."}
    assert "RuntimeError" in caplog.text and "_broken" in caplog.text
    assert TENANT not in caplog.text and PHONE not in caplog.text


def test_an_unexpected_failure_on_a_console_page_is_a_page(
    client: TestClient, service: Service, broken_listing: None
) -> None:
    add_user(service, "officer@example.org", users.Role.OFFICER)
    sign_in(client, "officer@example.org")
    page = client.get("/console/campaigns")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert f"(ref {page.headers['x-request-id']})" in page.text
    assert TENANT not in page.text and "Traceback" not in page.text


def _chunks(size: int) -> Iterator[bytes]:
    for _ in range(size // 1024):
        yield b" " * 1024


def test_a_body_without_a_length_is_still_cut_off_at_the_limit(
    client: TestClient, officer: dict[str, str]
) -> None:
    # A generator is sent chunked, with no Content-Length to refuse it by.
    answer = client.post(
        "/api/campaigns",
        content=_chunks(80 * 1024),
        headers={**officer, "Content-Type": "application/json"},
    )
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413
    assert answer.json()["detail"] == "The upload is larger than 65,536 bytes; send a smaller file."


def test_a_console_form_is_read_once_within_its_limit(client: TestClient, service: Service) -> None:
    add_user(service, "officer@example.org", users.Role.OFFICER)
    csrf = sign_in(client, "officer@example.org")
    huge = client.post("/console/campaigns", data={"csrf": csrf, "name": "x" * 70_000})
    assert huge.status_code == 413
    # The CSRF check and the page both read the form: the page still sees every field.
    refused = client.post("/console/campaigns", data={"csrf": csrf, "name": "Spring"})
    assert refused.status_code == 422 and "Spring" in refused.text
    assert "questionnaire" in refused.text
