"""The lexicon's index finds exactly what checking every entry against the answer finds."""

from __future__ import annotations

import random

from bot.concerns.lexicon import (
    LEXICON_DIR,
    Entry,
    Hit,
    _word_matches,
    find_in,
    lexicon,
    words_of,
)
from bot.i18n.folding import normalise

LANGUAGES = sorted(path.stem for path in LEXICON_DIR.glob("*.yaml"))


def _find(entry: Entry, folded: str, words: list[str], starts: list[int]) -> int | None:
    """The plain way: where the entry's stems first stand in a row (or, in a script
    without spaces, where its text is)."""
    if entry.spaceless:
        found = folded.find("".join(entry.stems))
        return found if found >= 0 else None
    size = len(entry.stems)
    for index in range(len(words) - size + 1):
        if all(_word_matches(words[index + k], entry.stems[k]) for k in range(size)):
            return starts[index]
    return None


def _every_entry(text: str, languages: tuple[str, ...]) -> list[Hit]:
    folded = normalise(text)
    words, starts = words_of(folded)
    hits = []
    for language in dict.fromkeys(languages):
        for entry in lexicon(language):
            position = _find(entry, folded, words, starts)
            if position is not None:
                hits.append(Hit(entry, position))
    return sorted(hits, key=lambda hit: hit.position)


def test_every_entry_is_found_in_its_own_words() -> None:
    for language in LANGUAGES:
        for entry in lexicon(language):
            assert entry in [hit.entry for hit in find_in(entry.text, (language,))]


def test_the_index_agrees_with_a_full_scan() -> None:
    chance = random.Random(17)
    stems = [stem for language in LANGUAGES for entry in lexicon(language) for stem in entry.stems]
    words = [*stems, "the", "a", "is", "x", "ok", "12", "mouldy", "gaslight"]
    for _ in range(3000):
        text = " ".join(
            chance.choice(words) + chance.choice(["", "", "s", "ing", "y", "!"])
            for _ in range(chance.randint(1, 8))
        )
        languages = tuple(chance.sample(LANGUAGES, chance.randint(1, 3)))
        assert find_in(text, languages) == _every_entry(text, languages)
