"""Reading which option(s) a tenant chose, and yes/no replies.

Pure functions that return ``None`` when a reply cannot be read with confidence; see
:mod:`bot.engine.replies` for the public entry point.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.engine.reply_text import Vocabulary, is_digits, normalise, small_int

__all__ = ["Option", "parse_choice", "parse_choices", "parse_yes_no"]

# --------------------------------------------------------------------------------------
# Choices
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One choice as shown to the tenant."""

    position: int  # 1-based number shown to the tenant
    code: int
    name: str  # stable identifier, e.g. "very_satisfied"
    labels: tuple[str, ...]  # tenant's language first, then the default language
    aliases: tuple[str, ...]


#: Words that may precede the option number: "option 2", "no. 2", Welsh "rhif 2",
#: Polish "opcja 2"/"nr 2", Romanian "opțiunea 2", Portuguese "opção 2" (normalised).
_NUMBER_PREFIXES = frozenset(
    {
        "option",
        "opt",
        "choice",
        "number",
        "num",
        "no",
        "nr",
        "answer",
        "opsiwn",
        "rhif",
        "opcja",
        "numer",
        "optiunea",
        "optiune",
        "numarul",
        "numar",
        "opcao",
        "numero",
    }
)


@lru_cache(maxsize=1024)
def _primary_keys(option: Option) -> frozenset[str]:
    keys = {normalise(option.name)}
    keys.update(normalise(label) for label in option.labels[:1])
    keys.update(normalise(alias) for alias in option.aliases)
    keys.discard("")
    return frozenset(keys)


@lru_cache(maxsize=1024)
def _secondary_keys(option: Option) -> frozenset[str]:
    keys = {normalise(label) for label in option.labels[1:]}
    keys.discard("")
    return frozenset(keys)


def _exact_index(options: Sequence[Option]) -> Mapping[str, Option | None]:
    return _exact_index_of(tuple(options))


@lru_cache(maxsize=256)
def _exact_index_of(options: tuple[Option, ...]) -> Mapping[str, Option | None]:
    """Normalised key -> option, or None where two options share the key.

    Keys in the tenant's language (first label), aliases and names win over later labels.
    """
    index: dict[str, Option | None] = {}
    for keys_of in (_primary_keys, _secondary_keys):
        tier: dict[str, Option | None] = {}
        for option in options:
            for key in keys_of(option):
                if key in index:
                    continue
                known = tier.get(key, option)
                tier[key] = option if known == option else None
        index.update(tier)
    return index


def _by_position(options: Sequence[Option], number: int) -> Option | None:
    """The option shown with ``number``; else the one option stored with that code.

    Tenants are shown positions (1-6), but a code printed on a paper form or known from
    an earlier survey (TSM "9" for "Don't know") is read too when no option is shown with
    that number and exactly one option has it as its code, so it can never be mistaken.
    """
    found = [option for option in options if option.position == number]
    if found:
        return found[0] if len(found) == 1 else None
    coded = [option for option in options if option.code == number]
    return coded[0] if len(coded) == 1 else None


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FFFF
    )


def _token_fits(part: str, key_token: str) -> bool:
    if key_token.startswith(part):
        return True
    # Chinese has no spaces between words: allow a fragment anywhere in the token.
    return any(_is_cjk(c) for c in part) and part in key_token


def _fragment_of(reply: list[str], key: list[str]) -> bool:
    """Each reply word starts (or, for CJK, is inside) a different word of ``key``."""
    if len(reply) > len(key):
        return False

    failed: set[tuple[int, frozenset[int]]] = set()

    def assign(i: int, used: frozenset[int]) -> bool:
        if i == len(reply):
            return True
        if (i, used) in failed:
            return False
        if any(
            j not in used and _token_fits(reply[i], key[j]) and assign(i + 1, used | {j})
            for j in range(len(key))
        ):
            return True
        failed.add((i, used))
        return False

    return assign(0, frozenset())


def _fuzzy_match(normalised: str, options: Sequence[Option]) -> Option | None:
    compact = normalised.replace(" ", "")
    minimum = 2 if any(_is_cjk(c) for c in compact) else 3
    if len(compact) < minimum:
        return None
    reply = normalised.split()
    matched: list[Option] = []
    for option in options:
        keys = _primary_keys(option) | _secondary_keys(option)
        if any(_fragment_of(reply, key.split()) for key in keys) and option not in matched:
            matched.append(option)
    return matched[0] if len(matched) == 1 else None


def _number_reply(normalised: str, options: Sequence[Option]) -> tuple[bool, Option | None]:
    """(is it a number reply, its option) for "2", "option 2", "#2", "2️⃣"."""
    words = normalised.split()
    if len(words) == 2 and words[0] in _NUMBER_PREFIXES:
        words = words[1:]
    if len(words) == 1 and is_digits(words[0]):
        number = small_int(words[0])
        return True, None if number is None else _by_position(options, number)
    return False, None


def _match_one(normalised: str, options: Sequence[Option]) -> Option | None:
    if not normalised or not options:
        return None
    is_number, by_number = _number_reply(normalised, options)
    if by_number is not None:
        return by_number
    index = _exact_index(options)
    if normalised in index:
        return index[normalised]
    # "2 fairly satisfied", copied from the prompt: the number and the label must agree.
    words = normalised.split()
    if len(words) > 1 and is_digits(words[0]):
        number = small_int(words[0])
        option = None if number is None else _by_position(options, number)
        rest = " ".join(words[1:])
        if option is not None and index.get(rest) == option:
            return option
    if is_number:
        return None  # a bare number that is no option's position
    return _fuzzy_match(normalised, options)


def parse_choice(
    text: str, options: Sequence[Option], numbers: Mapping[str, int] | None = None
) -> Option | None:
    """The single option meant by ``text``, or None when no option or several fit.

    Accepts the number shown ("2", " 2. ", "option 2", "#2", "2️⃣"), the option's name
    ("very_satisfied", "very satisfied"), or a label or alias in any of the option's
    languages.  Exact (normalised) matches are tried first; then a reply of at least three
    characters whose words each start a different word of exactly one option's label
    ("fairly sat", "satisfied fairly").  Letters ("a", "b") are not option references.
    A number word of ``numbers`` ("two", "dau") is the option with that number when no
    label is that word.
    """
    normalised = normalise(text)
    found = _match_one(normalised, options)
    if found is None and numbers and normalised in numbers:
        return _by_position(options, numbers[normalised])
    return found


def _number_words_as_digits(
    normalised: str, numbers: Mapping[str, int], conjunctions: frozenset[str]
) -> str | None:
    """ "one and three" -> "1 and 3"; Chinese "一和三" -> "1 和 3". None when nothing changes."""
    tokens: list[str] = []
    for token in normalised.split():
        if token in numbers:
            tokens.append(str(numbers[token]))
        elif any(_is_cjk(c) for c in token) and all(
            c in numbers or c in conjunctions for c in token
        ):
            tokens.extend(str(numbers[c]) if c in numbers else c for c in token)
        else:
            tokens.append(token)
    rewritten = " ".join(tokens)
    return rewritten if rewritten != normalised else None


_SEPARATORS = re.compile(r"[,;/|\n\u060c\u061b\u3001\uff0c\uff1b]+")


def _segment_exact(
    tokens: list[str], options: Sequence[Option], conjunctions: frozenset[str]
) -> list[Option] | None:
    """Split ``tokens`` into option numbers, exact labels and conjunctions (or fail)."""
    index = _exact_index(options)
    longest = max((len(key.split()) for key in index), default=0)
    n = len(tokens)
    best: list[list[Option] | None] = [None] * (n + 1)
    best[n] = []
    for i in range(n - 1, -1, -1):
        found: list[Option] | None = None
        for j in range(min(n, i + longest), i, -1):
            option = index.get(" ".join(tokens[i:j]))
            rest = best[j]
            if option is not None and rest is not None:
                found = [option, *rest]
                break
        if found is None and is_digits(tokens[i]):
            number = small_int(tokens[i])
            option = None if number is None else _by_position(options, number)
            rest = best[i + 1]
            if option is not None and rest is not None:
                found = [option, *rest]
        if found is None:
            skippable = tokens[i] in conjunctions or (
                tokens[i] in _NUMBER_PREFIXES and i + 1 < n and is_digits(tokens[i + 1])
            )
            if skippable:
                found = best[i + 1]
        best[i] = found
    return best[0]


def _split_on(tokens: Iterable[str], conjunctions: frozenset[str]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for token in tokens:
        if token in conjunctions:
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


def _runs(tokens: list[str]) -> list[str]:
    """Digits one by one, other words grouped: ["1", "3", "large print"]."""
    runs: list[str] = []
    words: list[str] = []
    for i, token in enumerate(tokens):
        if is_digits(token) or (
            token in _NUMBER_PREFIXES and i + 1 < len(tokens) and is_digits(tokens[i + 1])
        ):
            if words:
                runs.append(" ".join(words))
                words = []
            if is_digits(token):
                runs.append(token)
        else:
            words.append(token)
    if words:
        runs.append(" ".join(words))
    return runs


def _dedupe(chosen: Iterable[Option]) -> list[Option]:
    result: list[Option] = []
    for option in chosen:
        if option not in result:
            result.append(option)
    return result


def parse_choices(
    text: str, options: Sequence[Option], vocabulary: Vocabulary
) -> list[Option] | None:
    """The options chosen in a select-multiple reply, in the order given, without repeats.

    Accepts "1,3", "1 3", "1 and 3", "1, 3 & 4", "large print and email", and mixtures
    of numbers and labels.  When that reads nothing, number words of the vocabulary are
    read as option numbers ("two", "one and three", "un a tri", "一和三").  None when
    nothing is given or any part matches no option.
    """
    conjunctions = frozenset(vocabulary.conjunctions | {"&"})
    chosen = _parse_choices(text, options, conjunctions)
    if chosen is not None or not vocabulary.numbers:
        return chosen
    digits = _number_words_as_digits(normalise(text), vocabulary.number_words, conjunctions)
    return None if digits is None else _parse_choices(digits, options, conjunctions)


def _parse_choices(
    text: str, options: Sequence[Option], conjunctions: frozenset[str]
) -> list[Option] | None:
    normalised = normalise(text)
    if not normalised or not options:
        return None
    if all(token in conjunctions for token in normalised.split()):
        return None

    single = _match_one(normalised, options)
    if single is not None:
        return [single]

    exact = _segment_exact(normalised.split(), options, conjunctions)
    if exact:
        return _dedupe(exact)

    chosen: list[Option] = []
    for segment in _SEPARATORS.split(text):
        for part in _split_on(normalise(segment).split(), conjunctions):
            option = _match_one(" ".join(part), options)
            if option is not None:
                chosen.append(option)
                continue
            for run in _runs(part):
                option = _match_one(run, options)
                if option is None:
                    return None
                chosen.append(option)
    return _dedupe(chosen) or None


# --------------------------------------------------------------------------------------
# Yes / no
# --------------------------------------------------------------------------------------


def parse_yes_no(text: str, vocabulary: Vocabulary) -> bool | None:
    """True for a yes word, False for a no word ("1" = yes, "2" = no), else None.

    The whole reply must be a yes (or no) word or phrase; a reply made only of yes words
    ("ok sure", "👍👍") counts too.  Mixed replies ("yes no") are None.
    """
    normalised = normalise(text)
    if not normalised:
        return None
    yes = vocabulary.yes | {"1"}
    no = vocabulary.no | {"2"}
    if normalised in yes and normalised not in no:
        return True
    if normalised in no and normalised not in yes:
        return False
    words = set(normalised.split())
    if words <= yes and not words & no:
        return True
    if words <= no and not words & yes:
        return False
    return None
