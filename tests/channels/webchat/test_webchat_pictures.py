"""Choice pictures in the web chat: shown with their words, served safely, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.service import Service
from tests.support.webchat import after_of, csrf_of, invite_for, make_app, new_tenant

EASY = "post_repair_easy_read"


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    yield TestClient(make_app(service), follow_redirects=True)


def test_a_picture_choice_reads_as_its_words(client: TestClient, service: Service) -> None:
    page = client.get(f"/chat/{invite_for(service, new_tenant(service), EASY)}?lang=cy").text
    page = client.post(
        "/chat/reply", data={"csrf": csrf_of(page), "after": after_of(page), "reply": "Ydw"}
    ).text
    assert "Ydy e wedi&#39;i drwsio nawr?" in page  # the easy-read wording
    # The picture is decorative (alt=""): the words beside it name the button.
    assert f'<img class="picture" src="/chat/pictures/{EASY}/images/thumbs_up.svg" alt=""' in page
    assert '<span class="words">Ydy, mae wedi&#39;i drwsio</span></button>' in page


def test_pictures_are_served_with_their_type_and_cached(client: TestClient) -> None:
    response = client.get(f"/chat/pictures/{EASY}/images/face_happy.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.text.startswith("<svg")


@pytest.mark.parametrize(
    "path",
    [
        f"{EASY}/post_repair_easy_read.yaml",  # beside the pictures, but not a picture
        f"{EASY}/images/%2e%2e/post_repair_easy_read.yaml",
        f"{EASY}/..%2Fpost_repair.yaml",
        f"{EASY}/images/unknown.svg",
        "post_repair/images/thumbs_up.svg",  # a questionnaire without that picture
        "nobody/images/thumbs_up.svg",
    ],
)
def test_nothing_but_a_checked_picture_is_served(client: TestClient, path: str) -> None:
    assert client.get(f"/chat/pictures/{path}").status_code == 404
