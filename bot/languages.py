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


def is_supported(code: str) -> bool:
    return code in LANGUAGES


def base_language(tag: str) -> str:
    """`pt-BR` -> `pt`, `zh_Hans_CN` -> `zh`; the primary subtag, lower case."""
    return tag.replace("_", "-").split("-", 1)[0].strip().lower()
