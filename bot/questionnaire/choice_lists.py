"""Reading the choice lists of a questionnaire: codes, names, labels and aliases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.questionnaire.fields import SNAKE_CASE, FieldReader, Reporter, TextReader
from bot.questionnaire.located import LocatedList, LocatedMap
from bot.questionnaire.model import MISSING_KINDS, Choice, ChoiceList
from bot.questionnaire.pictures import read_picture

CHOICE_KEYS = ("code", "name", "label", "aliases", "missing", "image", "emoji", "alt")


@dataclass
class ChoiceListReader:
    reporter: Reporter
    texts: TextReader
    folder: Path | None = None  # where pictures are looked for; None when compiling text

    def read(self, top: FieldReader) -> dict[str, ChoiceList]:
        block = top.mapping_at("choice_lists", required=False, example="choice_lists: {...}")
        result: dict[str, ChoiceList] = {}
        for list_name, items in (block or {}).items():
            assert block is not None
            if not SNAKE_CASE.match(list_name):
                self.reporter.error(
                    block.key_at(list_name),
                    list_name,
                    "a choice list name is not lower_snake_case",
                    "use lower-case letters, digits and underscores",
                )
            if not isinstance(items, LocatedList) or not items:
                self.reporter.error(
                    block.value_at(list_name),
                    list_name,
                    "a choice list must be a list of choices",
                    "write '- {code: 1, name: yes, label: {en: Yes}}' lines under it",
                )
                continue
            choices = [self._choice(items, index, list_name) for index in range(len(items))]
            valid = tuple(choice for choice in choices if choice is not None)
            self._check_unique(items, valid, list_name)
            result[list_name] = ChoiceList(list_name, valid)
        return result

    def _choice(self, items: LocatedList, index: int, list_name: str) -> Choice | None:
        item = items[index]
        if not isinstance(item, LocatedMap):
            self.reporter.error(
                items.item_at(index),
                list_name,
                "a choice must be a block with code, name, label",
                "write '- {code: 1, name: very_satisfied, label: {en: Very satisfied}}'",
            )
            return None
        reader = FieldReader(item, self.reporter, list_name)
        reader.check_keys(CHOICE_KEYS, "a choice")
        code = item.get("code")
        if isinstance(code, bool) or not isinstance(code, int):
            self.reporter.error(
                item.value_at("code"),
                list_name,
                "a choice code must be a whole number",
                "give each choice a stable number, e.g. code: 1 (SPSS exports use it)",
            )
            code = None
        name = reader.identifier("name", required=True, example="name: very_satisfied")
        label = self.texts.read(item, "label", f"{list_name} choice {name}", required=True)
        aliases = self._aliases(item, list_name)
        missing = item.get("missing")
        if missing is not None and missing not in MISSING_KINDS:
            self.reporter.error(
                item.value_at("missing"),
                list_name,
                f"'missing: {missing}' is not known",
                f"use one of: {', '.join(MISSING_KINDS)}",
            )
            missing = None
        context = f"{list_name} choice {name}"
        picture = read_picture(item, self.reporter, self.texts, context, self.folder)
        if code is None or name is None or label is None:
            return None
        return Choice(code, name, label, aliases=aliases, missing=missing, picture=picture)

    def _aliases(self, item: LocatedMap, list_name: str) -> dict[str, tuple[str, ...]]:
        block = item.get("aliases")
        if block is None:
            return {}
        if not isinstance(block, LocatedMap):
            self.reporter.error(
                item.value_at("aliases"),
                list_name,
                "aliases must be listed per language",
                "write aliases: {en: [word, other words]}",
            )
            return {}
        result: dict[str, tuple[str, ...]] = {}
        for language, words in block.items():
            if language not in self.texts.languages:
                self.reporter.error(
                    block.key_at(language),
                    list_name,
                    f"aliases in '{language}', which is not in languages",
                    f"add {language} to languages or remove these aliases",
                )
                continue
            word_list = [words] if isinstance(words, str) else words
            if not isinstance(word_list, list) or not all(isinstance(w, str) for w in word_list):
                self.reporter.error(
                    block.value_at(language),
                    list_name,
                    "aliases must be a list of words",
                    f"write {language}: [word, other words]",
                )
                continue
            result[language] = tuple(word_list)
        return result

    def _check_unique(self, items: LocatedList, choices: tuple[Choice, ...], name: str) -> None:
        seen_codes: set[int] = set()
        seen_names: set[str] = set()
        for index, choice in enumerate(choices):
            where = items.item_at(index)
            if choice.code in seen_codes:
                self.reporter.error(
                    where,
                    name,
                    f"the code {choice.code} is used twice in this list",
                    "give every choice its own code",
                )
            if choice.name in seen_names:
                self.reporter.error(
                    where,
                    name,
                    f"the name '{choice.name}' is used twice in this list",
                    "give every choice its own name",
                )
            seen_codes.add(choice.code)
            seen_names.add(choice.name)

    # -- questions --------------------------------------------------------------------------
