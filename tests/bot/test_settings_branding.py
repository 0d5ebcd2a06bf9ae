"""Landlord branding settings: a main colour white text is readable on, a real logo file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings
from bot.settings_checks import contrast_ratio


def test_contrast_ratio_matches_wcag_examples() -> None:
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54


def test_a_dark_brand_colour_is_kept() -> None:
    assert Settings(brand_colour="#1D4F2A").brand_colour == "#1d4f2a"


@pytest.mark.parametrize("colour", ["#ffcc00", "#8ab4f8", "#777777"])
def test_a_light_brand_colour_is_refused_at_start_up(colour: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(brand_colour=colour)
    message = str(refused.value)
    assert "DOORSTEP_BRAND_COLOUR" in message and "at least 4.5:1" in message


def test_a_colour_that_is_not_a_colour_is_refused() -> None:
    with pytest.raises(ValidationError, match="is not a colour like #0b4f8a"):
        Settings(brand_colour="blue")


def test_the_logo_must_be_an_image_file(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    with pytest.raises(ValidationError, match="there is no such file"):
        Settings(landlord_logo=logo)
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert Settings(landlord_logo=logo).landlord_logo == logo
    with pytest.raises(ValidationError, match="use a PNG, SVG, JPEG or WebP file"):
        Settings(landlord_logo=tmp_path / "logo.exe")
