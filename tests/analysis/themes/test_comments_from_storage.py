"""Comments and open damp-and-mould concerns read from storage (SQLite and PostgreSQL)."""

from __future__ import annotations

from analysis.frames.catalog import load_catalog
from analysis.report.headline import open_damp_concerns
from analysis.themes.comments import read_comments
from analysis.themes.themes import find_themes
from bot.service import Service
from tests.support.concerns import answer_post_repair


def test_comments_and_damp_concerns_from_storage(service: Service) -> None:
    answer_post_repair(service, "5", "Black mould and damp in the bathroom again",
                       address="+447700900101")  # fmt: skip
    answer_post_repair(service, "1", "Lovely polite operative", address="+447700900102")
    with service.database.engine.connect() as connection:
        catalog = load_catalog(connection, registry=service.registry)
        comments = read_comments(connection, catalog)
        damp = open_damp_concerns(connection)
    assert sorted(comments["text"]) == ["Black mould and damp in the bathroom again",
                                        "Lovely polite operative"]  # fmt: skip
    assert set(comments["language"]) == {"en"}
    assert set(comments["questionnaire_id"]) == {"post_repair"}
    assert damp == 1
    themes = find_themes(comments, min_cell=1).counts.set_index("theme")
    assert themes.loc["Damp and mould", "comments"] == 1
    assert themes.loc["Staff attitude", "comments"] == 1
