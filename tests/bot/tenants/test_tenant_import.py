"""`doorstep tenants import`: CSV and XLSX, row errors, idempotence, never wiping."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import insert, select

from bot.service import Service
from bot.storage.tables import IDENTITIES, PROFILE, RESPONDENTS
from bot.tenants.importer import ImportSummary, import_tenants
from bot.tenants.table import TableError
from tests.support.services import Clock

HEADER = (
    "Tenant Ref,First Name,Surname,Mobile,Home Phone,E-mail,Preferred Language,"
    "Contact Preference,Address Line 1,Town,Postcode,Estate,Patch,Tenure Type,Household Size,"
    "attr: Vulnerability flag"
)


def write(tmp_path: Path, *lines: str, name: str = "tenants.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(service: Service, clock: Clock, path: Path, **options: Any) -> ImportSummary:
    return import_tenants(service.database, path, now=clock.now, **options)


def snapshot(service: Service) -> dict[str, list[Any]]:
    with service.database.engine.connect() as connection:
        return {
            name: [tuple(row) for row in connection.execute(select(t).order_by(t.c.id))]
            for name, t in (("r", RESPONDENTS), ("p", PROFILE), ("i", IDENTITIES))
        }


def profile(service: Service, ref: str) -> dict[str, Any]:
    with service.database.engine.connect() as connection:
        rows = connection.execute(
            select(PROFILE.c.name, PROFILE.c.value)
            .join(RESPONDENTS, RESPONDENTS.c.id == PROFILE.c.respondent_id)
            .where(RESPONDENTS.c.tenant_ref == ref, PROFILE.c.superseded_at.is_(None))
        ).all()
    return {row.name: row.value for row in rows}


def phones(service: Service, ref: str) -> list[str]:
    with service.database.engine.connect() as connection:
        return list(
            connection.execute(
                select(IDENTITIES.c.address)
                .join(RESPONDENTS, RESPONDENTS.c.id == IDENTITIES.c.respondent_id)
                .where(RESPONDENTS.c.tenant_ref == ref, IDENTITIES.c.channel == "sms")
                .order_by(IDENTITIES.c.id)
            ).scalars()
        )


def tenant(service: Service, ref: str) -> Any:
    with service.database.engine.connect() as connection:
        return connection.execute(select(RESPONDENTS).where(RESPONDENTS.c.tenant_ref == ref)).one()


GOOD = (
    HEADER,
    "T-1,Ann,Jones,07700 900001,020 7946 0000,ann@example.org,Welsh,Text,1 High St,Newtown,"
    "nt1 1aa,Riverside,North,LCRA,2,yes",
    "T-2,Bob,Smith,07700 900002; +44 7700 900003,,,pl,Web chat,,,,Hill,South,Shared ownership,,",
)


def test_csv_import_reads_forgiving_headers_into_tenants(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    summary = run(service, clock, write(tmp_path, *GOOD))
    assert (summary.created, summary.updated, summary.refused) == (2, 0, 0)
    ann = tenant(service, "T-1")
    assert (ann.name, ann.language, ann.timezone) == ("Ann Jones", "cy", "Europe/London")
    assert profile(service, "T-1") == {
        "email": "ann@example.org",
        "language": "cy",
        "preferred_channel": "sms",
        "address": "1 High St, Newtown",
        "postcode": "NT1 1AA",
        "estate": "Riverside",
        "area": "North",
        "tenure": "low_cost_rental",
        "household_size": 2,
        "vulnerability_flag": "yes",
    }
    # The landline cannot take texts: kept out, with a warning for row 2.
    assert phones(service, "T-1") == ["+447700900001"]
    assert any(p.row == 2 and "landline" in p.message for p in summary.warnings)
    assert phones(service, "T-2") == ["+447700900002", "+447700900003"]
    assert profile(service, "T-2")["tenure"] == "shared_ownership"
    assert profile(service, "T-2")["preferred_channel"] == "web_chat"
    with service.database.engine.connect() as connection:
        sources = set(connection.execute(select(PROFILE.c.source)).scalars())
    assert sources == {"import:tenants.csv"}


def test_xlsx_import_handles_numbers_and_dates(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["TENANT_REFERENCE", "Name", "Mobile 1", "Tenure", "attr:moved_in", "Area"])
    sheet.append([10042, "Cai Evans", 7700900123, "Social rent", datetime.date(2020, 5, 1), None])
    sheet.append([None, None, None, None, None, None])  # a blank row keeps its number
    sheet.append(["T-9", "Dee", "077009001234", "LCHO", None, "East"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    summary = run(service, clock, path)
    assert summary.created == 2 and summary.refused == 0  # an unreadable number: a warning
    assert [str(p) for p in summary.warnings] == [
        'Row 4: Column "Mobile 1" (the value is personal data, so it is not repeated here): '
        "The phone number has the wrong number of digits for its country. It was left out; "
        "the rest of the row was imported."
    ]
    assert phones(service, "T-9") == []
    assert tenant(service, "10042").name == "Cai Evans"
    assert phones(service, "10042") == ["+447700900123"]
    assert profile(service, "10042") == {"tenure": "low_cost_rental", "moved_in": "2020-05-01"}


def test_row_errors_name_the_row_and_good_rows_still_import(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        HEADER,
        "T-1,Ann,,,,,,,,,,,,,,",
        "T-3,,,not a phone,,bad-email,,pigeon,,,,,,freehold,forty,",
        "T-1,Again,,,,,,,,,,,,,,",
        ",No,Reference,,,,,,,,,,,,,",
    )
    summary = run(service, clock, path)
    assert summary.created == 1 and summary.refused == 3
    messages = [str(problem) for problem in summary.errors]
    assert messages == [  # in column order, naming the column and quoting the value
        'Row 3: Column "E-mail" (the value is personal data, so it is not repeated here): The '
        "email address is not in the form name@example.org.",
        'Row 3: Column "Tenure Type" has "freehold": The tenure must be low-cost rental (LCRA, '
        "social or affordable rent) or shared ownership (LCHO).",
        'Row 3: Column "Household Size" has "forty": The household size must be a whole '
        "number, like 3.",
        "Row 4: The tenant reference T-1 is also on row 2; only that first row was imported.",
        "Row 5: The tenant reference is empty; every row needs one.",
    ]
    assert [str(problem) for problem in summary.warnings if problem.row == 3] == [
        'Row 3: Column "Mobile" (the value is personal data, so it is not repeated here): The '
        "phone number could not be read; write it with digits, spaces and an optional leading "
        "+ and country code. It was left out; the rest of the row was imported.",
        'Row 3: Column "Contact Preference" has "pigeon": The preferred channel must be one '
        "of: SMS, Telegram, WhatsApp, web chat, phone, email, letter. It was left out; the "
        "rest of the row was imported.",
    ]
    assert "not a phone" not in " ".join(messages)  # no personal data echoed
    assert tenant(service, "T-1").name == "Ann"
    assert "3 row(s) with errors were not imported" in summary.line()


def test_importing_the_same_file_again_writes_nothing(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    path = write(tmp_path, *GOOD)
    run(service, clock, path)
    before = snapshot(service)
    clock.advance(days=1)
    again = run(service, clock, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(service) == before


def test_the_home_nation_is_imported_for_bank_holidays(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    run(service, clock, write(tmp_path, "tenant_ref,name,mobile,country", "T-1,Ann,,Wales"))
    assert profile(service, "T-1")["nation"] == "Wales"


def test_blank_cells_never_wipe_and_changes_keep_history(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    run(service, clock, write(tmp_path, *GOOD))
    clock.advance(days=30)
    later = write(
        tmp_path,
        "tenant_ref,name,mobile,area,estate,email",
        "T-1,,,West,,",
        name="later.csv",
    )
    summary = run(service, clock, later)
    assert (summary.updated, summary.unchanged) == (1, 0)
    ann = tenant(service, "T-1")
    assert ann.name == "Ann Jones" and ann.language == "cy"
    current = profile(service, "T-1")
    assert current["area"] == "West"
    assert current["estate"] == "Riverside" and current["email"] == "ann@example.org"
    assert phones(service, "T-1") == ["+447700900001"]
    with service.database.engine.connect() as connection:
        history = connection.execute(
            select(PROFILE.c.value, PROFILE.c.source, PROFILE.c.superseded_at)
            .where(PROFILE.c.name == "area", PROFILE.c.respondent_id == ann.id)
            .order_by(PROFILE.c.id)
        ).all()
    assert [(row.value, row.source) for row in history] == [
        ("North", "import:tenants.csv"),
        ("West", "import:later.csv"),
    ]
    assert history[0].superseded_at == clock.now and history[1].superseded_at is None


def test_a_number_is_never_moved_from_another_tenant_but_an_unknown_texter_is_linked(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    run(service, clock, write(tmp_path, *GOOD))
    with service.database.engine.begin() as connection:
        anonymous = connection.execute(
            insert(RESPONDENTS).values(timezone="Europe/London").returning(RESPONDENTS.c.id)
        ).scalar_one()
        connection.execute(
            insert(IDENTITIES).values(
                respondent_id=anonymous, channel="sms", address="+447700900009"
            )
        )
    path = write(
        tmp_path, "Tenant Ref,Mobile", "T-5,07700900001", "T-6,07700900009", name="new.csv"
    )
    summary = run(service, clock, path)
    assert phones(service, "T-5") == []
    assert [str(p) for p in summary.warnings] == [
        "Row 2: A phone number on this row already belongs to tenant T-1, so it was not moved; "
        "correct it in the housing system if it has changed hands."
    ]
    assert phones(service, "T-6") == ["+447700900009"]


def test_a_dry_run_checks_everything_and_saves_nothing(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    before = snapshot(service)
    summary = run(service, clock, write(tmp_path, *GOOD), dry_run=True)
    assert summary.created == 2
    assert "dry run" in summary.line()
    assert snapshot(service) == before


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("old.xls", "x", "old Excel file (.xls); save it as .xlsx or .csv"),
        ("list.csv", "name,mobile\nAnn,07700900001", "has no tenant reference column"),
        ("empty.csv", "", "is empty"),
        ("notes.pdf", "x", "is not a CSV or XLSX file"),
        ("broken.xlsx", "not a zip", "could not be opened as an Excel workbook"),
    ],
)
def test_unusable_files_get_a_sentence(
    service: Service, clock: Clock, tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TableError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        run(service, clock, path)


def test_windows_1252_and_semicolons_are_read(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("Tenant Ref;Name;Estate\r\nT-7;Zoë Brontë;Maes-y-Coed\r\n".encode("cp1252"))
    assert run(service, clock, path).created == 1
    assert tenant(service, "T-7").name == "Zoë Brontë"


def test_a_forgiving_import_keeps_what_is_valid_and_stores_no_birth_date(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Tenant Ref,Mobile,Contact Preference,Date of Birth",
        "T-1,07700 900001,WhatsApp,14/02/1961",
        "T-2,12,Letter,1990-07-01",
        "T-3,,Carrier pigeon,31/02/1970",
    )
    summary = run(service, clock, path)
    assert summary.created == 3 and summary.refused == 0
    assert profile(service, "T-1") == {
        "preferred_channel": "whatsapp", "year_of_birth": 1961, "age_band": "age_65_74",
    }  # fmt: skip
    assert profile(service, "T-2")["preferred_channel"] == "letter"
    assert phones(service, "T-2") == []
    assert profile(service, "T-3") == {}
    warnings = [str(problem) for problem in summary.warnings]
    assert any(
        w.startswith('Row 4: Column "Contact Preference" has "Carrier pigeon"') for w in warnings
    )
    assert any(
        w.startswith('Row 4: Column "Date of Birth" (the value is personal') for w in warnings
    )
    assert "31/02/1970" not in " ".join(warnings)


def test_a_tenant_who_prefers_whatsapp_gets_a_whatsapp_identity_on_their_mobile(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Tenant Ref,Mobile,Contact Preference",
        "T-1,07700 900001,WhatsApp",
        "T-2,07700 900002,SMS",
    )
    run(service, clock, path)
    run(service, clock, path)  # a second import links nothing twice
    with service.database.engine.connect() as connection:
        found = connection.execute(
            select(RESPONDENTS.c.tenant_ref, IDENTITIES.c.channel, IDENTITIES.c.address)
            .join(RESPONDENTS, RESPONDENTS.c.id == IDENTITIES.c.respondent_id)
            .order_by(IDENTITIES.c.id)
        ).all()
    assert sorted(tuple(row) for row in found) == [
        ("T-1", "sms", "+447700900001"),
        ("T-1", "whatsapp", "+447700900001"),
        ("T-2", "sms", "+447700900002"),
    ]
