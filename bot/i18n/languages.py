"""The languages Doorstep speaks, named in their own words for the language menu."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    english_name: str
    native_name: str
    right_to_left: bool = False


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("en", "English", "English"),
        Language("cy", "Welsh", "Cymraeg"),
        Language("pl", "Polish", "Polski"),
        Language("ro", "Romanian", "Română"),
        Language("pa", "Panjabi", "ਪੰਜਾਬੀ"),
        Language("ur", "Urdu", "اردو", right_to_left=True),
        Language("pt", "Portuguese", "Português"),
        Language("zh", "Chinese (Simplified)", "简体中文"),
        Language("ar", "Arabic", "العربية", right_to_left=True),
        Language("bn", "Bengali", "বাংলা"),
    )
}


def babel_locale(code: str) -> str:
    """The Babel locale for dates and numbers: British English for `en` (Babel's `en` is US
    English, which writes 3/31/25 and says March 31)."""
    return "en_GB" if base_language(code) == "en" else code


def is_supported(code: str) -> bool:
    return code in LANGUAGES


def base_language(tag: str) -> str:
    """`pt-BR` -> `pt`, `zh_Hans_CN` -> `zh`; the primary subtag, lower case."""
    return tag.replace("_", "-").split("-", 1)[0].strip().lower()


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags from an Accept-Language header, most wanted first (q-values honoured).

    Babel's `Locale.negotiate` ignores q-values, so `pl;q=0.9, en;q=0.8` is read here.
    Malformed parts are skipped; `q=0` means "not this one".
    """
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:1000].split(",")):
        pieces = [piece.strip() for piece in part.split(";")]
        tag = pieces[0]
        if not tag or tag == "*" or len(tag) > 35:
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = -1.0
        if 0 < quality <= 1:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(tags: list[str], available: list[str] | tuple[str, ...]) -> str | None:
    """The first wanted language we can offer, matching on the primary subtag."""
    for tag in tags:
        language = base_language(tag)
        if language in available:
            return language
    return None
