"""System strings in the tenant's language, from the gettext catalogs in `locales/`.

Catalogs are read straight from the `.po` files (no compile step to forget). English is the
source language, so it needs no catalog; any other language without a catalog is reported
by `missing_catalogs()` and `doorstep i18n check`, and its tenants see English meanwhile.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.i18n.folding import normalise
from bot.i18n.languages import base_language
from bot.i18n.texts import TAP_CHANNELS, TAP_WORDING, Plural
from bot.settings import get_settings

logger = logging.getLogger(__name__)
DOMAIN = "doorstep"
SOURCE_LANGUAGE = "en"


def catalog_path(locales_dir: Path, language: str) -> Path:
    return locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=64)
def _load(locales_dir: Path, language: str) -> NullTranslations | None:
    path = catalog_path(locales_dir, language)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


_reported_missing: set[str] = set()


class Translator:
    """gettext for one language, with `{name}` formatting.

    `for_channel` gives a translator that words instructions for that channel: where a
    tenant taps buttons or types (web chat, Telegram) "Reply with a number" becomes
    "Choose an answer"; SMS keeps the source wording.
    """

    def __init__(
        self,
        language: str,
        translations: NullTranslations,
        wording: dict[str, str] | None = None,
    ) -> None:
        self.language = language
        self._translations = translations
        self._wording = wording or {}

    def for_channel(self, channel: str) -> Translator:
        wording = TAP_WORDING if channel in TAP_CHANNELS else None
        return Translator(self.language, self._translations, wording)

    @property
    def taps(self) -> bool:
        """True where the tenant taps buttons (and types), rather than replies by SMS."""
        return bool(self._wording)

    def __call__(self, message: str, /, **values: object) -> str:
        text = self._translations.gettext(self._wording.get(message, message))
        return text.format(**values) if values else text

    def plural(self, message: Plural, count: int, /, **values: object) -> str:
        """The form for `count` (`{count}` is filled in), by this language's plural rule."""
        text = self._translations.ngettext(message.singular, message.plural, count)
        return text.format(count=count, **values)

    def words(self, message: str) -> frozenset[str]:
        """A comma-separated word list (yes words, command words) in this language."""
        return frozenset(normalise(word) for word in self(message).split(",") if normalise(word))


# English is the source text: no catalog, one shared pass-through (it holds no state).
_SOURCE_TEXTS = NullTranslations()


def translator(language: str, locales_dir: Path | None = None) -> Translator:
    directory = locales_dir or get_settings().locales_dir
    language = base_language(language) or SOURCE_LANGUAGE
    if language == SOURCE_LANGUAGE:
        return Translator(language, _SOURCE_TEXTS)
    loaded = _load(directory, language)
    if loaded is None:
        if language not in _reported_missing:
            _reported_missing.add(language)
            logger.warning("no catalog for language %s; using English", language)
        return Translator(SOURCE_LANGUAGE, _SOURCE_TEXTS)
    return Translator(language, loaded)


def missing_catalogs(languages: list[str], locales_dir: Path | None = None) -> list[str]:
    directory = locales_dir or get_settings().locales_dir
    return [
        language
        for language in languages
        if language != SOURCE_LANGUAGE and not catalog_path(directory, language).exists()
    ]
