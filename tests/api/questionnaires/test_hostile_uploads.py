"""Hostile uploads: a questionnaire or tenant file built to hurt the service gets a 4xx
with a sentence, quickly, and never holds up anyone else's requests."""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from typing import Any

import httpx
import openpyxl
import pytest

from api.app import create_app
from api.questionnaires import routes as questionnaires
from bot.service import Service
from channels.registry import build_channels
from tests.support.auth import add_key, bearer, client_for
from tests.support.services import FIXTURES

# The classic "billion laughs": a0 is ten strings, each a_n ten aliases of a_(n-1).
ALIAS_BOMB = (
    'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 10)}]\n" for n in range(1, 7))
).encode()
YAML = "application/yaml"


def app_for(service: Service) -> Any:
    return create_app(service.settings, service, build_channels(service.settings), background=False)


def officer_headers(service: Service) -> dict[str, str]:
    return bearer(add_key(service, "officer", "officer-key"))


async def upload_and_health(
    service: Service, body: bytes, health_calls: int
) -> tuple[httpx.Response, float, list[httpx.Response]]:
    transport = httpx.ASGITransport(app=app_for(service))
    headers = {**officer_headers(service), "Content-Type": YAML}
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

        async def upload() -> tuple[httpx.Response, float]:
            started = time.perf_counter()
            response = await client.post("/api/questionnaires", content=body, headers=headers)
            return response, time.perf_counter() - started

        async def health() -> httpx.Response:
            return await client.get("/health")

        (response, took), *checks = await asyncio.gather(
            upload(), *(health() for _ in range(health_calls))
        )
    return response, took, checks


def test_the_alias_bomb_is_refused_in_under_a_second_while_health_answers(
    service: Service,
) -> None:
    assert len(ALIAS_BOMB) < 400
    response, took, checks = asyncio.run(upload_and_health(service, ALIAS_BOMB, 5))
    assert response.status_code == 422
    assert took < 1.0
    assert any("anchors and aliases (& and *) are not allowed" in line
               for line in response.json()["lines"])  # fmt: skip
    assert [check.status_code for check in checks] == [200] * 5


def test_health_answers_while_an_upload_is_still_compiling(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = questionnaires.compile_text

    def slow_compile(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.8)  # a long compile: it must not stop the event loop
        return real(*args, **kwargs)

    monkeypatch.setattr(questionnaires, "compile_text", slow_compile)
    text = (FIXTURES / "all_types.yaml").read_bytes()

    async def scenario() -> tuple[bool, int, int]:
        transport = httpx.ASGITransport(app=app_for(service))
        headers = {**officer_headers(service), "Content-Type": YAML}
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            upload = asyncio.create_task(
                client.post("/api/questionnaires", content=text, headers=headers)
            )
            await asyncio.sleep(0.1)
            health = await client.get("/health")
            upload_finished_first = upload.done()
            return upload_finished_first, health.status_code, (await upload).status_code

    upload_finished_first, health_status, upload_status = asyncio.run(scenario())
    assert health_status == 200
    assert not upload_finished_first
    assert upload_status == 201


@pytest.mark.parametrize(
    ("body", "content_type", "status", "expected"),
    [
        (b"id: a\x02b\n", YAML, 422, "hidden control character"),
        (b"id: a\x00b\n", YAML, 422, "hidden control character"),
        (b'id: "survey"\ntitle: "a\\0b"\n', YAML, 422, "hidden control character"),
        (b"a: &x [*x]\n", YAML, 422, "anchors and aliases (& and *) are not allowed"),
        (b"[" * 50_000, YAML, 422, "nested more than"),
        (b"{a: " * 50_000, YAML, 422, "nested more than"),
        (b"id: !!python/object/apply:os.system [ls]\n", YAML, 422, "tag"),
        (b"id: \xef\xbf\xbe\n", YAML, 422, "character YAML does not accept"),
        (b"\xff\xfe\xfaid: x", YAML, 422, "not UTF-8"),
        (b"", YAML, 422, "empty"),
        (b"  \n", "text/plain", 422, "empty"),
        (b'{"id": "x"}', "application/json", 415, "YAML"),
        (b"--x\r\ngarbage", "multipart/form-data; boundary=x", 4, ""),
    ],
)
def test_every_malformed_questionnaire_gets_a_4xx_sentence(
    service: Service, body: bytes, content_type: str, status: int, expected: str
) -> None:
    client = client_for(service)
    headers = {**officer_headers(service), "Content-Type": content_type}
    response = client.post("/api/questionnaires", content=body, headers=headers)
    if status == 4:
        assert 400 <= response.status_code < 500
    else:
        assert response.status_code == status, response.text
    answer = response.json()
    said = " ".join([answer["detail"], *answer.get("lines", [])])
    assert expected in said
    assert answer["detail"].endswith(".") and "Traceback" not in response.text


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Tenant Ref", "Area"])
    sheet.append(["T-1", "North"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _entity_bomb() -> bytes:
    """The workbook with a billion-laughs DOCTYPE in its worksheet."""
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)
    )
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                sheet = content.decode().replace("North", "&l9;")
                content = f"<!DOCTYPE worksheet [{entities}]>{sheet}".encode()
            target.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [_workbook()[: len(_workbook()) // 2], _workbook()[:-40], _entity_bomb()],
    ids=["truncated-half", "truncated-end", "entity-bomb"],
)
def test_a_truncated_or_entity_bomb_workbook_gets_a_4xx_sentence(
    service: Service, content: bytes
) -> None:
    client = client_for(service)
    files = {"file": ("tenants.xlsx", content, "application/octet-stream")}
    started = time.perf_counter()
    response = client.post("/api/tenants/import", files=files, headers=officer_headers(service))
    assert time.perf_counter() - started < 5
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("tenants.xlsx could not be opened as an Excel workbook")
    assert "/tmp" not in detail and "Traceback" not in response.text


def test_a_nul_in_one_csv_cell_refuses_that_row_and_imports_the_others(
    service: Service,
) -> None:
    csv = (
        b"Tenant Ref,Name,Area\n"
        b"T-1,Ann Example,North\n"
        b"T-\x002,Bob Example,South\n"
        b"T-3,Cy Ex\x00ample,East\n"
        b"T-4,Di Example,West\n"
    )
    client = client_for(service)
    headers = officer_headers(service)
    files = {"file": ("tenants.csv", csv, "text/csv")}
    response = client.post("/api/tenants/import", files=files, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["refused"]) == (2, 2)
    errors = {error["row"]: error["message"] for error in body["errors"]}
    assert errors[3].startswith("The tenant reference contains a hidden control character")
    assert "The name contains a hidden control character" in errors[4]
    found = client.get("/api/tenants", headers=headers).json()
    assert sorted(tenant["tenant_ref"] for tenant in found) == ["T-1", "T-4"]
