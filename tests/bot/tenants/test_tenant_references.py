"""Tenant references: one normal form on import and on every lookup, so a reference typed
or pasted in another shape still means the same tenant."""

from __future__ import annotations

import datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from bot.campaigns.audience import audience_members
from bot.campaigns.spec import Audience
from bot.privacy import rights as privacy
from bot.repairs.events import parse_event, record_event
from bot.service import Service
from bot.storage.tables import RESPONDENTS
from bot.tenants.importer import import_tenants
from bot.tenants.values import normal_reference
from tests.support.auth import add_key, add_tenant, bearer, client_for
from tests.support.services import Clock

# The forms that became separate tenants before references were normalised.
SAME_TENANT = {
    "fullwidth": "Ｔ-1007",
    "zero-width space": "T-1007\u200b",
    "non-breaking hyphen": "T\u20111007",
    "right-to-left override": "\u202eT-1007",
    "lower case": "t-1007",
}


def test_every_form_folds_to_one_reference() -> None:
    assert {normal_reference(form) for form in SAME_TENANT.values()} == {"T-1007"}
    assert normal_reference(" \ufeffT\u2013 1007\u2069 ") == "T- 1007"
    for hidden in ("T-\x001007", "T-10\t07", "T\x02-1007"):
        with pytest.raises(ValueError, match="hidden control character"):
            normal_reference(hidden)


def _import(service: Service, clock: Clock, path: Path, rows: list[str]) -> None:
    path.write_text("\n".join(["Tenant Ref,Area", *rows]) + "\n", encoding="utf-8")
    summary = import_tenants(service.database, path, now=clock.now)
    assert summary.errors == [], summary.errors


def _references(service: Service) -> list[str]:
    with service.database.engine.connect() as connection:
        return list(connection.execute(select(RESPONDENTS.c.tenant_ref)).scalars())


def test_each_form_imports_as_the_one_intended_tenant(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    _import(service, clock, tmp_path / "first.csv", ["T-1007,North"])
    for number, form in enumerate(SAME_TENANT.values()):
        _import(service, clock, tmp_path / f"again{number}.csv", [f"{form},Area {number}"])
        assert _references(service) == ["T-1007"], form
    # Within one file the forms are the same tenant twice: the later rows are refused.
    path = tmp_path / "all.csv"
    path.write_text("Tenant Ref\n" + "\n".join(SAME_TENANT.values()) + "\n", encoding="utf-8")
    summary = import_tenants(service.database, path, now=clock.now)
    assert (summary.unchanged, summary.refused) == (1, 4)
    assert all("also on row 2" in problem.message for problem in summary.errors)


def test_a_nul_reference_is_a_row_error(service: Service, clock: Clock, tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Tenant Ref,Area\nT-1,North\nT-\x002,South\n")
    summary = import_tenants(service.database, path, now=clock.now)
    assert (summary.created, summary.refused) == (1, 1)
    assert str(summary.errors[0]).startswith(
        "Row 3: The tenant reference contains a hidden control character"
    )
    assert _references(service) == ["T-1"]


def test_a_zero_width_reference_is_exported_and_erased_through_the_api(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    _import(service, clock, tmp_path / "tenants.csv", ["T-1007\u200b,North"])
    client = client_for(service)
    client.headers.update(bearer(add_key(service, "admin", "dpo")))
    typed = quote("T-1007\u200b")
    exported = client.get(f"/api/tenants/{typed}/subject-access")
    assert exported.status_code == 200, exported.text
    assert exported.json()["tenant_ref"] == "T-1007"
    officer = bearer(add_key(service, "officer", "officer"))
    assert client.get(f"/api/tenants/{typed}", headers=officer).status_code == 200
    erased = client.post(f"/api/tenants/{typed}/erase", json={"confirm": "t-1007"})
    assert erased.status_code == 200, erased.text
    assert _references(service) == [None]


def test_a_row_stored_in_an_odd_form_stays_reachable(service: Service) -> None:
    add_tenant(service, "t-2000\u200b", "+447700900200")  # as stored before normalising
    add_tenant(service, "t-3000", "+447700900300")
    with service.database.engine.connect() as connection:
        assert privacy.subject_access(connection, "t-2000\u200b")["tenant_ref"] == "t-2000\u200b"
        assert privacy.subject_access(connection, "T-3000")["tenant_ref"] == "t-3000"


def test_a_nul_in_a_lookup_is_a_plain_not_found(service: Service) -> None:
    add_tenant(service, "T-1", "+447700900100")
    client = client_for(service)
    client.headers.update(bearer(add_key(service, "admin", "dpo")))
    for path in ("/api/tenants/T-1%00/subject-access", "/api/tenants/T-1%00"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["detail"].startswith("No tenant")
    with service.database.engine.connect() as connection, pytest.raises(privacy.UnknownTenant):
        privacy.respondent_id_for(connection, "T-1\x00")


def test_repair_events_and_audiences_use_the_normal_form(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    _import(service, clock, tmp_path / "tenants.csv", ["T-1007,North", "T-1008,South"])
    completed = clock.now - datetime.timedelta(hours=1)
    event = parse_event(
        {"job_id": "J-1", "tenant_ref": "t\u20111007", "completed_at": completed.isoformat()},
        service.settings,
        clock.now,
    )
    assert event.tenant_ref == "T-1007"
    with service.database.engine.begin() as connection:
        record_event(connection, event, settings=service.settings, now=clock.now, source="t")
        audience = Audience(tenant_refs=["Ｔ-1008", "t-1007\u200b"])
        members = audience_members(connection, audience, clock.now, None)
        ids = connection.execute(
            select(RESPONDENTS.c.id).where(func.upper(RESPONDENTS.c.tenant_ref).like("T-100%"))
        ).scalars()
        assert set(members) == set(ids)
