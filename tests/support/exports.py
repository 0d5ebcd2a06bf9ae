"""Shared test support."""

from __future__ import annotations

from sqlalchemy import update

from analysis.exports import (
    ExportFilters,
    ExportTable,
    build_export,
)
from bot.service import Service
from bot.storage.models import Respondent, table
from tests.support.chat import Chat

FORMULA = '=HYPERLINK("http://x","y")'


def answer_all_types(service: Service, address: str = "+447700900123", why: str = FORMULA) -> Chat:
    chat = Chat(service.engine, channel="telegram", address=address)
    chat.start("all_types")
    for reply in ("yes", "5", why, "3", "12.50", "31/03/2019", "1 and 3", "Polish", "4",
                  "yes", "no"):  # fmt: skip
        chat.send(reply)
    return chat


def name_tenants(service: Service) -> None:
    respondents = table(Respondent)
    with service.database.engine.begin() as connection:
        connection.execute(
            update(respondents)
            .values(tenant_ref="T-10042", name="Ada Lovelace")
            .where(respondents.c.id == 1)
        )


def build(service: Service, identifiable: bool = False, **filters: object) -> ExportTable:
    with service.database.engine.connect() as connection:
        return build_export(
            connection,
            filters=ExportFilters("all_types", **filters),  # type: ignore[arg-type]
            secret=SECRET,
            identifiable=identifiable,
            registry=service.registry,
        )


SECRET = "test-secret"
