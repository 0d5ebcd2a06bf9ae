"""Uploading a questionnaire and previewing it as each channel shows it.

`POST /api/questionnaires` takes the YAML as the body (`application/yaml`, `text/yaml`,
`text/plain`) or as a multipart `file` field. The validator's problems come back exactly as
`doorstep validate` prints them (`file:line:col: question: what — fix`) and as JSON; any
error answers 422 and loads nothing. A valid file is loaded for this process; it is written
to `DOORSTEP_QUESTIONNAIRES_DIR` only when `DOORSTEP_QUESTIONNAIRE_UPLOADS_SAVE` is true.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.auth.deps import OfficerUser, StaffUser
from api.http import MULTIPART_TYPE, Limit, ServiceDep, media_type, read_body, read_upload
from bot.engine.messages import OutboundMessage
from bot.engine.render import question_prompt
from bot.i18n.translate import translator
from bot.questionnaire.compiler import compile_text
from bot.questionnaire.model import Questionnaire
from bot.questionnaire.problems import Severity
from bot.service import Service
from bot.storage.tables import VERSIONS
from channels.sms.render import render_sms

router = APIRouter(tags=["questionnaires"])
MAX_QUESTIONNAIRE_BYTES = 512 * 1024
UPLOAD_LIMIT = Limit(
    MAX_QUESTIONNAIRE_BYTES,
    f"The upload is larger than {MAX_QUESTIONNAIRE_BYTES:,} bytes; send a smaller file.",
)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
Channel = Literal["sms", "whatsapp", "telegram", "webchat"]
_UPLOAD_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def _file_name(name: str) -> str:
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name)[:100]
    return base if base.strip("._") else "upload.yaml"


async def _read_upload(request: Request, filename: str | None) -> tuple[str, str]:
    content_type = media_type(request)
    if content_type == MULTIPART_TYPE:
        name, content, _ = await read_upload(request, UPLOAD_LIMIT)
        if len(content) > MAX_QUESTIONNAIRE_BYTES:
            raise HTTPException(413, "The questionnaire file is too large.")
    elif content_type in YAML_TYPES or not content_type:
        name, content = filename or "upload.yaml", await read_body(request, UPLOAD_LIMIT)
    else:
        raise HTTPException(
            415, "Send the questionnaire as YAML text or as a form field called 'file'."
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(422, "The file is not UTF-8 text; save it as UTF-8.") from None
    if not text.strip():
        raise HTTPException(422, "The file is empty.")
    return _file_name(name), text


def _stored_hash(service: Service, questionnaire: Questionnaire) -> str | None:
    with service.database.engine.connect() as connection:
        found = connection.execute(
            select(VERSIONS.c.source_hash).where(
                VERSIONS.c.questionnaire_id == questionnaire.id,
                VERSIONS.c.version == questionnaire.version,
            )
        ).scalar_one_or_none()
    return None if found is None else str(found)


def _save(service: Service, questionnaire: Questionnaire, text: str) -> Path:
    """Written whole or not at all: a half-written file would break the next start."""
    directory = Path(service.settings.questionnaires_dir)
    target = directory / f"{questionnaire.id}.yaml"
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, target)
    return target


@router.post(
    "/api/questionnaires",
    openapi_extra=_UPLOAD_OPENAPI,
    responses={422: {"description": "The validator found errors; nothing was loaded."}},
)
async def upload_questionnaire(
    request: Request,
    user: OfficerUser,
    service: ServiceDep,
    filename: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    name, text = await _read_upload(request, filename)
    # Compiling is CPU work: off the event loop, so /health and chats never wait behind it.
    return await run_in_threadpool(load_upload, service, name, text)


def load_upload(service: Service, name: str, text: str) -> JSONResponse:
    """Validate the text and, when it has no errors, load it (and save it if configured).

    Its pictures are checked and served from the questionnaires folder, as at start-up:
    a picture that is not there is an error now, not a broken image in the chat, nor a
    saved file the next start refuses."""
    folder = Path(service.settings.questionnaires_dir)
    result = compile_text(text, name, landlord_name=service.settings.landlord_name, folder=folder)
    problems = {
        "lines": [str(problem) for problem in result.problems],
        "problems": [problem.as_dict() for problem in result.problems],
    }
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    if result.questionnaire is None or errors:
        detail = f"The questionnaire has {len(errors)} error(s); nothing was loaded."
        return JSONResponse({"detail": detail, **problems}, status_code=422)
    questionnaire = result.questionnaire
    stored = _stored_hash(service, questionnaire)
    if stored is not None and stored != questionnaire.source_hash:
        raise HTTPException(
            409,
            f"Version {questionnaire.version} of {questionnaire.id} was already used for "
            "answers and differs from this file; give the changed file a new version number.",
        )
    service.registry.add(questionnaire, text)  # compiled above: not twice
    with service.database.engine.begin() as connection:
        service.registry.version_id(connection, questionnaire)
    with service.database.engine.connect() as connection:
        service.registry.version_id(connection, questionnaire)  # committed: now cached
    saved = None
    if service.settings.questionnaire_uploads_save:
        saved = _save(service, questionnaire, text)
    message = (
        f"Saved as {saved.name} and loaded."
        if saved
        else "Loaded for this running service only; it is not saved to disk and is gone "
        "after a restart (set DOORSTEP_QUESTIONNAIRE_UPLOADS_SAVE=true to save uploads)."
    )
    return JSONResponse(
        {
            "id": questionnaire.id,
            "version": questionnaire.version,
            "questions": len(questionnaire.questions),
            "languages": list(questionnaire.languages),
            "saved": saved is not None,
            "detail": message,
            **problems,
        },
        status_code=201,
    )


def preview(
    service: Service, questionnaire: Questionnaire, language: str, channel: str
) -> list[dict[str, Any]]:
    """Each question as that channel would show it (piped answers left blank)."""
    tr = translator(language)
    landlord = service.settings.landlord_name
    items = []
    for question in questionnaire.questions:
        prompt = question_prompt(
            question, language, questionnaire=None, answers={}, landlord=landlord, tr=tr
        )
        item: dict[str, Any] = {
            "name": question.name,
            "type": question.type.value,
            "required": question.required,
            "relevant": question.relevant.source if question.relevant else None,
            "sensitive": question.sensitive is not None,
        }
        if channel == "sms":
            sms = render_sms(
                OutboundMessage(0, "sms", "", prompt.text, language, prompt.buttons),
                gsm7_replacements=service.settings.sms_gsm7_replacements,
            )
            budget = questionnaire.sms_budget(language)
            item.update(
                text=sms.body,
                segments=sms.segments,
                encoding=sms.encoding.value,
                units=sms.units,
                over_budget=sms.segments > budget,
            )
        else:
            item.update(
                text=prompt.text,
                buttons=[{"reply": b.reply, "label": b.label} for b in prompt.buttons],
                multiple=prompt.multiple,
            )
        items.append(item)
    return items


def preview_questionnaire(
    service: Service, questionnaire_id: str, language: str | None, channel: str
) -> dict[str, Any]:
    try:
        questionnaire = service.registry.latest(questionnaire_id)
    except KeyError:
        raise HTTPException(404, f"No questionnaire {questionnaire_id!r} is loaded.") from None
    language = language or questionnaire.default_language
    if language not in questionnaire.languages:
        known = ", ".join(questionnaire.languages)
        raise HTTPException(
            422, f"{questionnaire_id} is not written in {language!r}; it has: {known}."
        )
    questions = preview(service, questionnaire, language, channel)
    result: dict[str, Any] = {
        "id": questionnaire.id,
        "version": questionnaire.version,
        "title": questionnaire.title.get(language),
        "language": language,
        "translation": questionnaire.languages[language].value,
        "channel": channel,
        "offered_on_channel": channel in questionnaire.channels,
        "questions": questions,
    }
    if channel == "sms":
        result["total_segments"] = sum(item["segments"] for item in questions)
        result["budget"] = questionnaire.sms_budget(language)
    return result


@router.get("/api/questionnaires/{questionnaire_id}/preview")
def questionnaire_preview(
    service: ServiceDep,
    questionnaire_id: Annotated[str, PathParam(max_length=64)],
    user: StaffUser,
    language: Annotated[str | None, Query(max_length=16)] = None,
    channel: Channel = "sms",
) -> dict[str, Any]:
    return preview_questionnaire(service, questionnaire_id, language, channel)
