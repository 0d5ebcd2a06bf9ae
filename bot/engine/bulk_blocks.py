"""Blocks of past conversations played apart (another process) and written in order.

A detached `BulkWriter(None, dialect=...)` builds a block's rows exactly as a connected one
would, but with block-local ids: each table's from 1, new respondents' from -1 down (so they
never meet a stored respondent's id), and provider ids left to be made. `detach` hands
those rows over (plain lists: cheap to send between processes); `adopt` gives them to a
connected writer inside its transaction, which moves every id and every reference past the
table's largest id, makes the provider ids from the final ids, and writes them as its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.engine.bulk import COLUMNS, MADE_LATER, TABLES, BulkWriter

# Per table: (column position, the table its value is an id of).
POINTS_TO = {
    "respondent_id": "respondents",
    "session_id": "sessions",
    "reply_id": "outbound_messages",
    "in_reply_to": "inbound_messages",
    "inbound_message_id": "inbound_messages",
}
REFERENCES: dict[str, list[tuple[int, str]]] = {
    name: [
        (position, name if column == "id" else POINTS_TO[column])
        for position, column in enumerate(columns)
        if column == "id" or column in POINTS_TO
    ]
    for name, columns in COLUMNS.items()
}
PROVIDER_IDS = {"inbound_messages": "in", "outbound_messages": "out"}


@dataclass
class Played:
    """A detached writer's rows and pending updates, block-local ids."""

    rows: dict[str, list[list[Any]]]
    supersede: list[dict[str, Any]]
    opt_outs: list[dict[str, Any]]


def detach(writer: BulkWriter) -> Played:
    assert writer.detached, "only a detached writer's rows have block-local ids"
    return Played(writer.rows, writer._supersede, writer._opt_outs)


def adopt(writer: BulkWriter, played: Played) -> None:
    """Make `played` the connected `writer`'s rows, with final ids."""
    assert not writer.detached
    offsets = {name: writer.next_id[name] - 1 for name in TABLES}
    people = offsets["respondents"]

    def respondent(value: int) -> int:
        return people - value if value < 0 else value  # -1 is the first new respondent

    for name, rows in played.rows.items():
        moves = [
            (position, respondent if target == "respondents" else offsets[target])
            for position, target in REFERENCES[name]
        ]
        provider = COLUMNS[name].index("provider_id") if name in PROVIDER_IDS else None
        for row in rows:
            for position, move in moves:
                value = row[position]
                if value is not None:
                    row[position] = move(value) if callable(move) else value + move
            if provider is not None and row[provider] == MADE_LATER:
                row[provider] = f"{writer.prefix}-{PROVIDER_IDS[name]}-{row[0]}"
        writer.rows[name].extend(rows)
        writer.next_id[name] += len(rows)
    for update in (*played.supersede, *played.opt_outs):
        update["respondent"] = respondent(update["respondent"])
    writer._supersede += played.supersede
    writer._opt_outs += played.opt_outs
