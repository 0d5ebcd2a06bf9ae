"""Maintaining the gettext catalogs: extract, update, compile and check (`doorstep i18n`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n.translate import DOMAIN, catalog_path
from bot.settings import PROJECT_ROOT

KEYWORDS = {"N_": None, "NP_": (1, 2), "gettext": None, "ngettext": (1, 2)}
SOURCES = ("bot", "channels", "api")


def template_path(locales_dir: Path) -> Path:
    return locales_dir / f"{DOMAIN}.pot"


def extract(locales_dir: Path) -> Catalog:
    """Collect every marked string from the code into `locales/doorstep.pot`."""
    template = Catalog(project="Doorstep", domain=DOMAIN, charset="utf-8")
    for source in SOURCES:
        folder = PROJECT_ROOT / source
        if not folder.exists():
            continue
        extracted = extract_from_dir(
            str(folder),
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        )
        for filename, line, message, comments, context in extracted:
            template.add(
                message,
                locations=[(f"{source}/{filename}", line)],
                auto_comments=comments,
                context=context,
            )
    locales_dir.mkdir(parents=True, exist_ok=True)
    with template_path(locales_dir).open("wb") as handle:
        write_po(handle, template, width=100, omit_header=False, sort_output=True)
    return template


def update(locales_dir: Path, languages: list[str]) -> list[Path]:
    """Merge the template into each language's catalog, creating missing ones."""
    with template_path(locales_dir).open("rb") as handle:
        template = read_po(handle)
    written = []
    for language in languages:
        path = catalog_path(locales_dir, language)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="Doorstep")
        catalog.update(template, update_header_comment=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, ignore_obsolete=True)
        written.append(path)
    return written


def compile_catalogs(locales_dir: Path, languages: list[str]) -> list[Path]:
    written = []
    for language in languages:
        path = catalog_path(locales_dir, language)
        if not path.exists():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        target = path.with_suffix(".mo")
        with target.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(target)
    return written


@dataclass(frozen=True)
class CatalogStatus:
    language: str
    exists: bool
    total: int
    translated: int
    fuzzy: int
    status: str  # reviewed | draft | missing

    @property
    def complete(self) -> bool:
        return self.exists and self.translated == self.total and self.fuzzy == 0


def check(locales_dir: Path, languages: list[str]) -> list[CatalogStatus]:
    """How complete each language's catalog is, and whether a translator reviewed it."""
    with template_path(locales_dir).open("rb") as handle:
        template = read_po(handle)
    wanted = [message.id for message in template if message.id]
    results = []
    for language in languages:
        if language == "en":
            results.append(CatalogStatus("en", True, len(wanted), len(wanted), 0, "reviewed"))
            continue
        path = catalog_path(locales_dir, language)
        if not path.exists():
            results.append(CatalogStatus(language, False, len(wanted), 0, 0, "missing"))
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        translated = fuzzy = 0
        for message_id in wanted:
            message = catalog.get(message_id)
            if message is None or not message.string:
                continue
            if message.fuzzy:
                fuzzy += 1
            elif all(message.string) if isinstance(message.string, tuple) else True:
                translated += 1
        reviewed = "reviewed" if _header_status(catalog) == "reviewed" else "draft"
        results.append(CatalogStatus(language, True, len(wanted), translated, fuzzy, reviewed))
    return results


def _header_status(catalog: Catalog) -> str:
    """The translation status a translator records in the catalog header comment."""
    for line in (catalog.header_comment or "").splitlines():
        if "Translation-Status:" in line:
            return line.split(":", 1)[1].strip().lower()
    return "draft"
