"""A Welsh-language landlord's web chat opens in Welsh and English until the tenant chooses."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.service import Service
from tests.support.webchat import (
    after_of,
    csrf_of,
    current_answers,
    invite_for,
    make_app,
    new_tenant,
)


def _client(service: Service) -> TestClient:
    service.settings = service.settings.model_copy(
        update={"welsh_language_landlord": True, "environment": "development"}
    )
    service.engine.settings = service.settings  # the engine decides the opening
    return TestClient(make_app(service), follow_redirects=True)


def test_a_personal_link_opens_bilingually_welsh_first(service: Service) -> None:
    client = _client(service)
    page = client.get(f"/chat/{invite_for(service, new_tenant(service))}").text
    page = page.replace("&#39;", "'")
    welsh, english = (
        page.index("Ydych chi'n cytuno i gymryd rhan?"),
        page.index("Do you agree to take part?"),
    )
    assert welsh < english
    # Four buttons: the one tapped settles the language.
    for label in ("Rwy'n cytuno", "Dim diolch", "I agree", "No thanks"):
        assert f">{label}</button>" in page
    page = client.post(
        "/chat/reply", data={"csrf": csrf_of(page), "after": after_of(page), "reply": "Yes"}
    ).text
    assert 'lang="en"' in page and "Question 1 of 5" in page
    assert current_answers(service) == {}


def test_the_language_menu_comes_first_on_every_chat_page(service: Service) -> None:
    client = _client(service)
    page = client.get("/chat").text
    assert page.index('id="language"') < page.index("<main")
    error = client.get("/chat/no-such-link").text
    assert error.index('id="language"') < error.index("<main")


def test_a_chosen_language_is_kept(service: Service) -> None:
    client = _client(service)
    page = client.get("/chat?lang=cy").text
    assert 'name="chosen"' in page
    page = client.post(
        "/chat/start",
        data={
            "csrf": csrf_of(page),
            "questionnaire": "post_repair",
            "language": "cy",
            "chosen": "1",
        },
    ).text
    assert "Ydych chi'n cytuno" in page.replace("&#39;", "'")
    assert "Do you agree to take part?" not in page
