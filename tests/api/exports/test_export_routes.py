"""The analyst API: responses and exports over HTTP, roles, permissions and the audit log."""

from __future__ import annotations

import csv
import datetime
import io

import pyreadstat
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.auth.deps import SESSION_COOKIE
from bot.access import users
from bot.access.audit import list_audit
from bot.access.signin import start_session
from bot.service import Service
from tests.support.auth import add_key, add_user, bearer, client_for
from tests.support.exports import FORMULA, answer_all_types, name_tenants

EXPORTS = "/api/exports"
QUERY = {"questionnaire": "all_types"}


@pytest.fixture
def client(service: Service) -> TestClient:
    answer_all_types(service)
    name_tenants(service)
    return client_for(service)


def signed_in(service: Service, role: users.Role, *, identifiable: bool = False) -> TestClient:
    """A client with a console session cookie for a new user with this role."""
    user = add_user(service, f"{role.value}-{identifiable}@example.org", role,
                    identifiable=identifiable)  # fmt: skip
    with service.database.engine.begin() as connection:
        session = start_session(connection, user_id=user.id, now=service.engine.clock(),
                                lifetime=datetime.timedelta(hours=1))  # fmt: skip
    client = client_for(service)
    client.cookies.set(SESSION_COOKIE, session.token)
    return client


def audit_entries(service: Service) -> list[dict[str, object]]:
    with service.database.engine.connect() as connection:
        return [entry.as_json() for entry in list_audit(connection, limit=100).entries]


def test_without_credentials_every_route_is_401(client: TestClient) -> None:
    for path in ("/api/responses", f"{EXPORTS}/csv", f"{EXPORTS}/sav", f"{EXPORTS}/codebook.json"):
        assert client.get(path, params=QUERY).status_code == 401, path


def test_roles_without_analysis_rights_get_403(client: TestClient, service: Service) -> None:
    key = add_key(service, "repairs")
    assert client.get(f"{EXPORTS}/csv", params=QUERY, headers=bearer(key)).status_code == 403
    assert client.get("/api/responses", params=QUERY, headers=bearer(key)).status_code == 403


def test_analyst_gets_pseudonymised_responses_without_phone_numbers(
    client: TestClient, service: Service
) -> None:
    key = add_key(service, "analyst")
    response = client.get("/api/responses", params=QUERY, headers=bearer(key))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 1
    row = body["rows"][0]
    assert row["satisfaction"] == 5 and row["needs__interpreter"] == 1
    assert len(row["respondent"]) == 16
    text = response.text
    for secret in ("+447700900123", "T-10042", "Ada Lovelace", "HYPERLINK"):
        assert secret not in text
    # Analysts never get identifiable data, whatever they ask.
    refused = client.get(f"{EXPORTS}/csv", params={**QUERY, "identifiable": "true"},
                         headers=bearer(key))  # fmt: skip
    assert refused.status_code == 403
    assert "identifiable" in refused.json()["detail"]


def test_officer_needs_a_grant_for_identifiable_exports(service: Service) -> None:
    answer_all_types(service)
    params = {**QUERY, "identifiable": "true"}
    officer = signed_in(service, users.Role.OFFICER)
    assert officer.get(f"{EXPORTS}/csv", params=params).status_code == 403
    assert officer.get(f"{EXPORTS}/csv", params=QUERY).status_code == 200
    granted = signed_in(service, users.Role.OFFICER, identifiable=True)
    response = granted.get(f"{EXPORTS}/csv", params=params)
    assert response.status_code == 200, response.text
    assert "why_unhappy" in response.text.splitlines()[0]


def test_sav_download_has_labels_and_is_audited(
    client: TestClient, service: Service, tmp_path: object
) -> None:
    key = add_key(service, "analyst", "spss-user")
    params = {**QUERY, "channel": "telegram", "date_from": "2026-11-01"}
    response = client.get(f"{EXPORTS}/sav", params=params, headers=bearer(key))
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith('attachment; filename="all_types-')
    assert response.headers["content-disposition"].endswith('.sav"')
    path = f"{tmp_path}/download.sav"
    with open(path, "wb") as file:
        file.write(response.content)
    data, meta = pyreadstat.read_sav(path)
    assert meta.column_names_to_labels["satisfaction"] == "How satisfied are you?"
    assert meta.variable_value_labels["satisfaction"][5] == "Very dissatisfied"
    assert len(data) == 1
    [entry] = audit_entries(service)
    assert entry["action"] == "export" and entry["target"] == "responses"
    assert entry["row_count"] == 1
    assert entry["who"] == {"kind": "apikey", "id": 1, "name": "spss-user", "role": "analyst"}
    assert entry["filters"] == {
        "questionnaire_id": "all_types", "channel": "telegram", "date_from": "2026-11-01",
        "format": "sav", "identifiable": False,
    }  # fmt: skip


def test_every_export_is_audited_with_its_row_count(client: TestClient, service: Service) -> None:
    key = add_key(service, "admin")
    for fmt in ("csv", "xlsx", "parquet", "sav"):
        assert client.get(f"{EXPORTS}/{fmt}", params=QUERY, headers=bearer(key)).status_code == 200
    none = client.get(f"{EXPORTS}/csv", params={**QUERY, "completed": "false"},
                      headers=bearer(key))  # fmt: skip
    assert none.status_code == 200 and len(none.text.splitlines()) == 1
    client.get("/api/responses", params=QUERY, headers=bearer(key))
    entries = audit_entries(service)[::-1]  # oldest first
    formats = [(entry["filters"]["format"], entry["row_count"]) for entry in entries]  # type: ignore[index]
    assert formats == [("csv", 1), ("xlsx", 1), ("parquet", 1), ("sav", 1), ("csv", 0), ("json", 1)]


def test_formula_is_neutralised_in_identifiable_csv_and_xlsx(
    client: TestClient, service: Service, tmp_path: object
) -> None:
    key = add_key(service, "admin")
    params = {**QUERY, "identifiable": "true"}
    response = client.get(f"{EXPORTS}/csv", params=params, headers=bearer(key))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["why_unhappy"] == "'" + FORMULA
    assert rows[0]["tenant_name"] == "Ada Lovelace"
    response = client.get(f"{EXPORTS}/xlsx", params=params, headers=bearer(key))
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["responses"]
    header, first = list(sheet.iter_rows(values_only=True))[:2]
    assert dict(zip(header, first, strict=False))["why_unhappy"] == "'" + FORMULA


def test_codebook_lists_variables_and_values(client: TestClient, service: Service) -> None:
    key = add_key(service, "analyst")
    response = client.get(f"{EXPORTS}/codebook.json", params=QUERY, headers=bearer(key))
    assert response.status_code == 200
    variables = {v["variable"]: v for v in response.json()["variables"]}
    assert variables["contact_ok"]["values"] == {"1": "Yes", "0": "No"}
    assert "why_unhappy" not in variables
    response = client.get(f"{EXPORTS}/codebook.csv", params=QUERY, headers=bearer(key))
    assert response.status_code == 200 and "needs__braille" in response.text
    assert response.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"questionnaire": "no_such_questionnaire"},
        {**QUERY, "channel": "pigeon"},
        {**QUERY, "date_from": "2026-02-01", "date_to": "2026-01-01"},
        {**QUERY, "date_from": "yesterday"},
        {**QUERY, "language": "xx"},
        {**QUERY, "campaign": "0"},
        {**QUERY, "limit": "100000"},
    ],
)
def test_bad_filters_get_422(client: TestClient, service: Service, params: dict[str, str]) -> None:
    key = add_key(service, "analyst")
    response = client.get("/api/responses", params=params, headers=bearer(key))
    assert response.status_code == 422, response.text
    assert client.get(f"{EXPORTS}/pdf", params=QUERY, headers=bearer(key)).status_code == 422
