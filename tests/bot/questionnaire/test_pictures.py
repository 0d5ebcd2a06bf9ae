"""Pictures and emoji beside choices, and easy-read wording: what the validator accepts.

A broken picture reference is reported like every other problem: the file, the line, the
question (its choice) and how to fix it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.questionnaire.compiler import compile_file, compile_text
from bot.questionnaire.registry import load_questionnaire
from bot.settings import DEFAULT_QUESTIONNAIRES

SMILE = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle r="4"/></svg>'
TEMPLATE = """\
id: pics
version: "1"
title: {en: Pictures}
default_language: en
languages: {en: reviewed}
purpose: {code: testing, text: {en: Testing.}}
consent: {version: "1", text: {en: Testing.}}
estimated_minutes: 1
choice_lists:
  mood:
    - code: 1
      name: happy
      label: {en: Happy}
CHOICE
    - {code: 2, name: sad, label: {en: Sad}, emoji: "🙁", alt: {en: "A sad face"}}
questions:
  - {name: mood, type: select_one, choices: mood, text: {en: "How do you feel?"},
     easy_read: {en: "How do you feel? Choose a face."}}
"""


def _write(folder: Path, choice: str) -> Path:
    (folder / "images").mkdir(exist_ok=True)
    (folder / "images" / "smile.svg").write_text(SMILE, encoding="utf-8")
    path = folder / "pics.yaml"
    path.write_text(TEMPLATE.replace("CHOICE", choice), encoding="utf-8")
    return path


def _problems(folder: Path, choice: str) -> list[str]:
    return [str(problem) for problem in compile_file(_write(folder, choice)).problems]


def test_a_good_picture_and_emoji_load_with_their_words(tmp_path: Path) -> None:
    path = _write(tmp_path, '      image: images/smile.svg\n      alt: {en: "A smiling face"}')
    questionnaire = load_questionnaire(path)
    happy, sad = questionnaire.question("mood").choices.choices  # type: ignore[union-attr]
    assert happy.picture is not None and happy.picture.image == "images/smile.svg"
    assert happy.picture.alt.get("en") == "A smiling face"
    assert sad.picture is not None and sad.picture.emoji == "🙁"
    assert questionnaire.pictures == {"images/smile.svg"}
    assert questionnaire.picture_folder == str(tmp_path.resolve())
    assert questionnaire.question("mood").easy_read is not None
    assert not questionnaire.easy_read  # only when the questionnaire says so


@pytest.mark.parametrize(
    ("choice", "message", "fix"),
    [
        (
            "      image: images/missing.svg\n      alt: {en: Smile}",
            "the image images/missing.svg does not exist in",
            "put the file there, or fix the path",
        ),
        (
            "      image: ../secret.svg\n      alt: {en: Smile}",
            "is not a path inside the questionnaire's folder",
            "write a path beside the questionnaire",
        ),
        (
            "      image: /etc/passwd.svg\n      alt: {en: Smile}",
            "is not a path inside the questionnaire's folder",
            "e.g. image: images/fixed.svg",
        ),
        (
            "      image: images/smile.gif\n      alt: {en: Smile}",
            "is not a picture type the chat shows",
            "use one of: .svg, .png",
        ),
        ("      image: images/smile.svg", "'alt' is missing", "add alt:"),
        ("      alt: {en: Smile}", "this choice has no image or emoji", "add image:"),
        ("      emoji: happy\n      alt: {en: Smile}", "must be one emoji", 'emoji: "👍"'),
        (
            '      emoji: "🙂"\n      image: images/smile.svg\n      alt: {en: Smile}',
            "either an image or an emoji, not both",
            "keep one of them",
        ),
    ],
)
def test_a_broken_picture_names_file_line_choice_and_fix(
    tmp_path: Path, choice: str, message: str, fix: str
) -> None:
    found = _problems(tmp_path, choice)
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path / 'pics.yaml'}:1")  # the choice's lines, 13-16
    assert ": mood choice happy: " in found[0]
    assert message in found[0] and fix in found[0]


def test_large_and_scripted_pictures_are_refused(tmp_path: Path) -> None:
    choice = "      image: images/smile.svg\n      alt: {en: Smile}"
    path = _write(tmp_path, choice)
    picture = tmp_path / "images" / "smile.svg"
    picture.write_text('<svg onload="alert(1)"></svg>', encoding="utf-8")
    assert "contains a script or event handler" in str(compile_file(path).problems[0])
    picture.write_bytes(b"<svg>" + b" " * 300_000 + b"</svg>")
    assert "more than 200 kB" in str(compile_file(path).problems[0])


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.svg"
    outside.write_text(SMILE, encoding="utf-8")
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    path = _write(folder, "      image: images/link.svg\n      alt: {en: Smile}")
    (folder / "images" / "link.svg").symlink_to(outside)
    assert "leads outside the questionnaire's folder" in str(compile_file(path).problems[0])


def test_text_alone_checks_the_path_but_serves_nothing() -> None:
    """A stored version compiles without its folder: same pictures, none to serve."""
    text = TEMPLATE.replace("CHOICE", "      image: images/smile.svg\n      alt: {en: Smile}")
    result = compile_text(text, "<stored pics 1>")
    assert result.questionnaire is not None and result.problems == []
    assert result.questionnaire.picture_folder == ""


def test_the_shipped_easy_read_survey_has_pictures_in_every_language() -> None:
    questionnaire = load_questionnaire(DEFAULT_QUESTIONNAIRES / "post_repair_easy_read.yaml")
    assert questionnaire.easy_read
    languages = set(questionnaire.languages)
    assert len(languages) == 10
    for question in questionnaire.questions:
        assert question.easy_read is not None and set(question.easy_read.texts) == languages
        for choice in question.choices.choices if question.choices else ():
            assert choice.picture is not None, choice.name
            assert set(choice.picture.alt.texts) == languages
    assert len(questionnaire.pictures) == 5
