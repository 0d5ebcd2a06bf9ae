"""Every catalog string renders in every language with sample values.

Placeholders must be the source's (a missing or misspelt one would raise or show "{name}"),
every plural form must exist and render for the counts that pick each form, and durations
read as the sentence needs them ("لمدة سنتين", never "سنتان" or "1 دقيقة").
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.i18n import texts
from bot.i18n.languages import LANGUAGES
from bot.i18n.translate import catalog_path, translator
from bot.settings import get_settings

TRANSLATED = [code for code in LANGUAGES if code != "en"]
COUNTS = [0, 1, 2, 3, 6, 11, 100]  # one of each plural category in the ten languages
SAMPLE = {"landlord": "Riverside Homes", "title": "Repair follow-up", "count": 3}


def _catalog(language: str) -> Catalog:
    path: Path = catalog_path(get_settings().locales_dir, language)
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _values(text: str) -> dict[str, object]:
    return {name: SAMPLE.get(name, f"<{name}>") for name in _fields(text)}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_renders_with_the_source_placeholders(language: str) -> None:
    catalog = _catalog(language)
    problems = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            forms = message.string
            assert isinstance(forms, tuple)
            if len(forms) != catalog.num_plurals or not all(forms):
                problems.append(f"{message.id[0]!r}: plural forms missing")
                continue
            allowed = _fields(message.id[1]) | _fields(message.id[0])
            for form in forms:
                # A form may leave out {count} ("سنة واحدة"), never add a name.
                if not _fields(form) <= allowed:
                    problems.append(f"{message.id[0]!r}: unknown placeholder in {form!r}")
                form.format(**_values(message.id[1]))
            continue
        if not message.string:
            problems.append(f"{message.id!r}: not translated")
            continue
        if _fields(message.string) != _fields(message.id):
            problems.append(f"{message.id!r}: placeholders differ in {message.string!r}")
            continue
        rendered = message.string.format(**_values(message.id))
        assert "{" not in rendered or "{" in message.id, rendered
    assert problems == []


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_plural_strings_render_for_every_count(language: str) -> None:
    tr = translator(language)
    plurals = [value for value in vars(texts).values() if isinstance(value, texts.Plural)]
    assert plurals
    for plural in plurals:
        values = _values(plural.plural)
        values.pop("count", None)
        for count in COUNTS:
            text = tr.plural(plural, count, **values)
            assert text and "{" not in text, (plural.singular, count, text)


@pytest.mark.parametrize(
    ("language", "count", "expected", "never"),
    [
        ("ar", 2, "سنتين", "سنتان"),
        ("ar", 1, "سنة واحدة", "1 سنة"),
        ("cy", 2, "dwy flynedd", "2 blynedd"),
        ("pl", 5, "5 lat", "5 lata"),
        ("en", 2, "2 years", "2 year "),
    ],
)
def test_retention_periods_read_as_the_sentence_needs(
    language: str, count: int, expected: str, never: str
) -> None:
    text = translator(language).plural(texts.PERIOD_YEARS, count)
    assert expected in text and never not in text


def test_about_one_minute_is_not_a_numeral_in_arabic() -> None:
    tr = translator("ar")
    for message in (texts.CONSENT_INTRO, texts.CONSENT_CARD_INTRO):
        text = tr.plural(message, 1, landlord="X", title="T")
        assert "1 دقيقة" not in text and "دقيقة واحدة" in text
        assert "دقيقتين" in tr.plural(message, 2, landlord="X", title="T")
