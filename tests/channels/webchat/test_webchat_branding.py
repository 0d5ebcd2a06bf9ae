"""The web chat carries the landlord's branding: colour, logo, help number, privacy notice."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.service import Service
from tests.support.webchat import make_app

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def test_branding_from_settings_on_every_chat_page(service: Service, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    service.settings = service.settings.model_copy(
        update={
            "brand_colour": "#1d4f2a",
            "landlord_logo": logo,
            "help_phone": "0300 123 4567",
            "privacy_notice_url": "https://riverside.example/privacy",
        }
    )
    client = TestClient(make_app(service))
    for path in ("/chat", "/chat/no-such-invite"):
        page = client.get(path).text
        assert '<img class="logo" src="/chat/logo" alt="">' in page
        assert 'Need help? Call <a href="tel:03001234567" dir="ltr">0300 123 4567</a>' in page
        assert '<a href="https://riverside.example/privacy">Privacy notice</a>' in page
        assert 'name="lang"' in page or 'name="language"' in page  # the language switcher
    assert client.get("/chat/brand.css").text == ":root { --brand: #1d4f2a; }\n"
    assert client.get("/chat/logo").content == PNG


def test_no_logo_and_no_help_line_unless_set(service: Service) -> None:
    client = TestClient(make_app(service))
    page = client.get("/chat").text
    assert 'class="logo"' not in page and "Need help?" not in page
    assert client.get("/chat/logo").status_code == 404


def test_the_console_sign_in_page_carries_the_same_branding(
    service: Service, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    service.settings = service.settings.model_copy(
        update={"landlord_logo": logo, "help_phone": "0300 123 4567"}
    )
    page = TestClient(make_app(service)).get("/console/login").text
    assert '<link rel="stylesheet" href="/chat/brand.css">' in page
    assert f'<img class="logo" src="/chat/logo" alt="{service.settings.landlord_name}">' in page
    assert "Need help? Call" in page and ">Privacy notice</a>" in page
