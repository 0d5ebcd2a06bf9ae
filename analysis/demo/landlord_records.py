"""Landlord records for demo tenants: tenure, area and the repair jobs behind post-repair
surveys, which a landlord's import and repairs feed would supply.

`doorstep demo-data` makes tenants and conversations only; the report also needs who rents
and who part-owns, where they live, and which contractor and trade did each repair. Values
are drawn from each row's id, so they are the same on every run; only missing ones are added.
"""

from __future__ import annotations

import datetime

from sqlalchemy import Connection, and_, exists, insert, select

from analysis.frames.sql import epoch, read_frame
from bot.repairs.models import RepairState
from bot.storage.tables import PROFILE, REPAIR_JOBS, RESPONDENTS, SESSIONS, VERSIONS

AREAS = ("Riverside", "Northfield", "Old Town", "Hillcrest", "Eastgate")
TRADES = ("plumbing", "electrical", "carpentry", "roofing", "heating")
CONTRACTORS = ("Acme Property Services", "Brightwork Ltd", "City Repairs Co")
SOURCE = "demo:landlord-records"
BATCH = 20_000


def _mix(number: int, salt: int) -> int:
    # A cheap deterministic hash (Knuth's multiplicative) so values look random but repeat.
    return ((number * 2654435761) ^ (salt * 40503)) % 1_000_003


def add_landlord_records(connection: Connection, *, now: datetime.datetime | None = None) -> int:
    """Add tenure and area to demo tenants without them, and a repair job to each
    post-repair session without one. Returns the number of rows added."""
    moment = now or datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    people = read_frame(connection, select(RESPONDENTS.c.id, RESPONDENTS.c.tenant_ref).where(
        RESPONDENTS.c.tenant_ref.like("DEMO-%"),
        ~exists().where(and_(PROFILE.c.respondent_id == RESPONDENTS.c.id,
                             PROFILE.c.name == "tenure")),
    ))  # fmt: skip
    rows: list[dict[str, object]] = []
    for respondent_id in people["id"].astype(int).tolist() if not people.empty else []:
        # About 1 in 9 homes is shared ownership (LCHO), the rest low-cost rental (LCRA).
        tenure = "shared_ownership" if _mix(respondent_id, 1) % 9 == 0 else "low_cost_rental"
        area = AREAS[_mix(respondent_id, 2) % len(AREAS)]
        for name, value in (("tenure", tenure), ("area", area)):
            rows.append({"respondent_id": respondent_id, "name": name, "value": value,
                         "source": SOURCE, "recorded_at": moment})  # fmt: skip
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(PROFILE), rows[start : start + BATCH])
    added = len(rows)
    sessions = read_frame(connection, select(
        SESSIONS.c.id, SESSIONS.c.respondent_id, SESSIONS.c.channel,
        epoch(SESSIONS.c.created_at, connection.dialect.name).label("created_at"),
        RESPONDENTS.c.tenant_ref,
    ).join(RESPONDENTS, RESPONDENTS.c.id == SESSIONS.c.respondent_id).where(
        RESPONDENTS.c.tenant_ref.like("DEMO-%"),
        SESSIONS.c.questionnaire_version_id.in_(_version_ids(connection, "post_repair")),
        ~exists().where(REPAIR_JOBS.c.session_id == SESSIONS.c.id),
    ))  # fmt: skip
    jobs: list[dict[str, object]] = []
    for session in sessions.to_dict("records") if not sessions.empty else []:
        number = int(session["id"])
        sent = datetime.datetime.fromtimestamp(float(session["created_at"]), datetime.UTC)
        completed = sent - datetime.timedelta(hours=2 + _mix(number, 3) % 48)
        jobs.append({
            "job_id": f"DEMO-JOB-{number}", "tenant_ref": session["tenant_ref"],
            "respondent_id": int(session["respondent_id"]), "completed_at": completed,
            "trade": TRADES[_mix(number, 4) % len(TRADES)],
            "contractor": CONTRACTORS[_mix(number, 5) % len(CONTRACTORS)],
            "source": SOURCE, "received_at": completed, "state": RepairState.FINISHED.value,
            "channel": str(session["channel"]), "session_id": number,
            "invited_at": sent, "updated_at": sent,
        })  # fmt: skip
    for start in range(0, len(jobs), BATCH):
        connection.execute(insert(REPAIR_JOBS), jobs[start : start + BATCH])
    return added + len(jobs)


def _version_ids(connection: Connection, questionnaire_id: str) -> list[int]:
    query = select(VERSIONS.c.id).where(VERSIONS.c.questionnaire_id == questionnaire_id)
    return [int(row.id) for row in connection.execute(query)]
