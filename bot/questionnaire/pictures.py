"""Pictures and emoji beside choices: read from a choice's `image`/`emoji` and `alt`.

An image is a file beside the questionnaire (`images/fixed.svg`). It is checked when the
questionnaire is loaded: a relative path inside the questionnaire's folder, an allowed
type, a small size and, for SVG, no script. The web chat serves only the files that passed.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from bot.questionnaire.fields import Reporter, TextReader
from bot.questionnaire.located import LocatedMap
from bot.questionnaire.model import Picture

PICTURE_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
MAX_PICTURE_BYTES = 200_000  # a choice picture is small; a photo belongs elsewhere
MAX_EMOJI_CHARACTERS = 8  # one emoji with its joiners and skin-tone modifiers
# What an SVG shown as a picture never needs, and a browser opening it directly would run.
_SVG_ACTIVE = re.compile(rb"<script|<foreignObject|\bon[a-z]+\s*=|javascript:", re.IGNORECASE)


def read_picture(
    item: LocatedMap,
    reporter: Reporter,
    texts: TextReader,
    context: str,
    folder: Path | None,
) -> Picture | None:
    """The choice's picture (or None); every problem is reported with its place and fix."""
    image, emoji = item.get("image"), item.get("emoji")
    if image is None and emoji is None:
        if item.get("alt") is not None:
            reporter.error(
                item.key_at("alt"),
                context,
                "'alt' describes a picture, but this choice has no image or emoji",
                "add image: images/<file>.svg or emoji: 👍, or remove alt",
            )
        return None
    alt = texts.read(item, "alt", context, required=True)
    if image is not None and emoji is not None:
        reporter.error(
            item.key_at("emoji"),
            context,
            "a choice has either an image or an emoji, not both",
            "keep one of them",
        )
        return None
    if emoji is not None:
        emoji = _emoji(item, emoji, reporter, context)
    if image is not None:
        image = _image(item, image, reporter, context, folder)
    if alt is None or (image is None and emoji is None):
        return None
    return Picture(alt=alt, image=image, emoji=emoji)


def _emoji(item: LocatedMap, value: object, reporter: Reporter, context: str) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_EMOJI_CHARACTERS or any(ch.isalnum() for ch in text):
        reporter.error(
            item.value_at("emoji"),
            context,
            "'emoji' must be one emoji, with no letters or numbers",
            'write emoji: "👍" (the words go in alt)',
        )
        return None
    return text


def _image(
    item: LocatedMap, value: object, reporter: Reporter, context: str, folder: Path | None
) -> str | None:
    where = item.value_at("image")
    relative = PurePosixPath(value) if isinstance(value, str) and value.strip() else None
    if relative is None or relative.is_absolute() or ".." in relative.parts or "\\" in str(value):
        reporter.error(
            where,
            context,
            f"the image {value!r} is not a path inside the questionnaire's folder",
            "write a path beside the questionnaire, e.g. image: images/fixed.svg",
        )
        return None
    if relative.suffix.lower() not in PICTURE_TYPES:
        reporter.error(
            where,
            context,
            f"the image {relative} is not a picture type the chat shows",
            f"use one of: {', '.join(PICTURE_TYPES)}",
        )
        return None
    if folder is None:
        return str(relative)  # compiled from text alone (a stored version): nothing to open
    base = folder.resolve()
    path = (base / relative).resolve()
    problem = _file_problem(path, base)
    if problem is not None:
        reporter.error(where, context, f"the image {relative} {problem[0]}", problem[1])
        return None
    return str(relative)


def _file_problem(path: Path, base: Path) -> tuple[str, str] | None:
    """What is wrong with a picture file, as (what, fix), or None."""
    if not path.is_relative_to(base):
        return "leads outside the questionnaire's folder", "keep the picture in that folder"
    if not path.is_file():
        return (
            f"does not exist in {base}",
            "put the file there, or fix the path (names are case-sensitive)",
        )
    size = path.stat().st_size
    if size > MAX_PICTURE_BYTES:
        return (
            f"is {size // 1000} kB, more than {MAX_PICTURE_BYTES // 1000} kB",
            "make it smaller: a simple SVG, or a PNG under 200 kB",
        )
    if path.suffix.lower() == ".svg" and _SVG_ACTIVE.search(path.read_bytes()):
        return (
            "contains a script or event handler",
            "remove <script>, <foreignObject>, on...= attributes and javascript: links",
        )
    return None


def picture_media_type(name: str) -> str | None:
    """The content type a picture file is served with, or None for other files."""
    return PICTURE_TYPES.get(PurePosixPath(name).suffix.lower())
