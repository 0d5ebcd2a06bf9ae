"""Choosing the language: stored choice, explicit choice, channel hints, default."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from api.cli.main import app
from bot.engine.engine import Engine
from bot.i18n.languages import LANGUAGES, negotiate, parse_accept_language
from bot.i18n.texts import CONSENT_INTRO
from bot.i18n.translate import translator
from bot.service import Service
from bot.storage.models import Consent, Respondent, Session
from tests.support.chat import Chat


def test_accept_language_honours_q_values() -> None:
    assert parse_accept_language("pl;q=0.9, en;q=0.8") == ["pl", "en"]
    assert parse_accept_language("en;q=0.1, pl") == ["pl", "en"]
    assert parse_accept_language("fr, de;q=0, ur;q=x, ar;q=0.5") == ["fr", "ar"]
    assert parse_accept_language(None) == []
    assert negotiate(parse_accept_language("pl;q=0.9, en;q=0.8"), list(LANGUAGES)) == "pl"
    assert negotiate(["pt-BR"], list(LANGUAGES)) == "pt"
    assert negotiate(["fr"], list(LANGUAGES)) is None


def test_telegram_style_hint_picks_portuguese(service: Service) -> None:
    chat = Chat(service.engine, channel="telegram", locale_hint="pt-br")
    chat.send("REPAIR")
    with service.database.sessions() as session:
        assert session.scalars(select(Session.language)).one() == "pt"


def test_stored_preference_beats_the_hint(service: Service) -> None:
    chat = Chat(service.engine, channel="telegram")
    chat.send("REPAIR")
    chat.send("LANGUAGE")
    chat.send("Polski")
    chat.send("STOP")
    chat.send("START")
    chat.locale_hint = "ar"
    chat.send("REPAIR")
    with service.database.sessions() as session:
        languages = session.scalars(select(Session.language).order_by(Session.id)).all()
        stored = session.scalars(select(Respondent.language)).one()
    assert stored == "pl" and languages[-1] == "pl"


def test_welsh_landlord_opens_bilingually_and_follows_the_answer(service: Service) -> None:
    service.settings.welsh_language_landlord = True
    engine = Engine(service.database, service.registry, service.settings, service.engine.clock)
    chat = Chat(engine)
    opening = chat.send("REPAIR")
    assert opening.index("Dilyniant") < opening.index("Repair follow-up")  # Welsh first
    question = chat.send("ie")
    assert "Pa mor fodlon" in question
    with service.database.sessions() as session:
        (consent,) = session.scalars(select(Consent)).all()
        assert (consent.language, consent.outcome) == ("cy", "granted")
        assert session.scalars(select(Respondent.language)).one() == "cy"
    other = Chat(engine, address="+447700900555")
    other.send("REPAIR")
    assert "How satisfied" in other.send("yes")


def test_plural_forms_come_from_the_catalogs() -> None:
    polish = translator("pl")
    forms = [polish.plural(CONSENT_INTRO, n, landlord="L", title="T") for n in (1, 3, 5)]
    assert [form.split()[-1] for form in forms] == ["minutę.", "minuty.", "minut."]


def test_i18n_check_reports_status_per_language() -> None:
    result = CliRunner().invoke(app, ["i18n", "check"])
    assert "cy Welsh" in result.output and "draft" in result.output
    assert "post_repair" in result.output


def test_an_incomplete_catalog_is_reported_at_start_up(tmp_path: object) -> None:
    import shutil
    from pathlib import Path

    from bot.questionnaire.registry import QuestionnaireRegistry
    from bot.service import report_translation_gaps
    from bot.settings import DEFAULT_LOCALES, DEFAULT_QUESTIONNAIRES, Settings

    locales = Path(str(tmp_path)) / "locales"
    shutil.copytree(DEFAULT_LOCALES, locales)
    shutil.rmtree(locales / "bn")
    polish = locales / "pl" / "LC_MESSAGES" / "doorstep.po"
    polish.write_text(polish.read_text().replace('msgstr "Nie"', 'msgstr ""'))
    settings = Settings(locales_dir=locales)
    registry = QuestionnaireRegistry.from_directory(DEFAULT_QUESTIONNAIRES, "L")
    gaps = report_translation_gaps(registry, settings)
    assert any(gap.startswith("bn: 0 of") and "no catalog" in gap for gap in gaps)
    assert any(gap.startswith("pl: ") for gap in gaps)
    assert not any(gap.startswith("cy") for gap in gaps)
