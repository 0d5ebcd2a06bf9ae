"""The web chat's routes: the page, personal links, replies, starting and language.

Every post carries the session's CSRF token and counts against the per-session and per-IP
rate limit. A form post gets a redirect back to the page (post/redirect/get); the script's
`fetch` asks for JSON and gets the new messages as HTML fragments instead.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from pathlib import Path

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from api.errors import log_unexpected, request_id
from api.http import ServiceDep, get_service
from api.webchat import pages
from api.webchat.ratelimit import over_limit
from api.webchat.security import (
    ChatError,
    ChatSession,
    chat_session,
    check_csrf,
    client_key,
    form_int,
    keep_session,
    read_form,
    reply_text,
)
from bot.engine.engine import SessionAlreadyOpen
from bot.i18n import texts
from bot.i18n.languages import LANGUAGES
from bot.outreach import invites
from bot.questionnaire.pictures import picture_media_type
from bot.service import Service
from channels.webchat import channel as webchat

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
# An SVG opened on its own runs nothing: no scripts, no outside requests, sandboxed.
PICTURE_HEADERS = {
    "Cache-Control": "public, max-age=86400",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
}


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _redirect(service: Service, session: ChatSession, anchor: str = "") -> Response:
    response = RedirectResponse(f"/chat{anchor}", status_code=303)
    keep_session(response, session, service.settings)
    return response


async def _error(request: Request, session: ChatSession, error: ChatError) -> Response:
    """A friendly page (or JSON for the script) in the conversation's language."""
    service = get_service(request)

    def language() -> str:
        current = chosen = None
        if not session.new:
            try:
                with service.database.engine.connect() as connection:
                    current = webchat.status(connection, session.address).language
                    chosen = webchat.session_language(connection, session.address)
            except Exception:  # the database may be what failed: any language will do
                logger.warning("web chat error page without the conversation's language")
        asked = request.query_params.get("lang")
        return current or pages.preferred_language(request, service, chosen, asked)

    response = pages.render_error(
        service, await run_in_threadpool(language), error, wants_json=_wants_json(request)
    )
    keep_session(response, session, service.settings)
    return response


async def _checked_form(request: Request, session: ChatSession) -> tuple[dict[str, str], list[str]]:
    """The post's fields once it passed the size, CSRF and rate-limit checks."""
    service = get_service(request)
    form, choices = await read_form(request)
    check_csrf(service.settings, session, form)
    keys = [f"s:{session.address[:32]}", f"ip:{client_key(service.settings, request)}"]

    def count() -> int | None:
        with service.database.engine.connect() as connection, connection.begin():
            return over_limit(
                connection, keys, service.settings.webchat_rate_per_minute, service.engine.clock()
            )

    wait = await run_in_threadpool(count)
    if wait is not None:
        raise ChatError(429, texts.CHAT_TOO_MANY, retry_after=wait)
    return form, choices


def _unexpected(what: str, error: Exception) -> ChatError:
    """A bug or an outage: logged (type and frames only), quoting the request's id."""
    log_unexpected(f"web chat {what}", error)
    return ChatError(500, texts.SERVICE_ERROR, ref=request_id())


@router.get("/chat")
async def chat_page(
    request: Request,
    service: ServiceDep,
    lang: str | None = None,
    more: bool = False,
    extended: bool = False,
) -> Response:
    session = chat_session(request)
    view = await run_in_threadpool(
        pages.load_view,
        service,
        request,
        session,
        asked_language=lang,
        more=more,
        extended=extended,
    )
    response = pages.render_page(service, view)
    keep_session(response, session, service.settings)
    return response


@router.get("/chat/brand.css")
async def brand_css(service: ServiceDep) -> Response:
    """The landlord's main colour (checked for contrast at start-up) for the chat's CSS."""
    css = f":root {{ --brand: {service.settings.brand_colour}; }}\n"
    return Response(css, media_type="text/css", headers={"Cache-Control": "no-cache"})


@router.get("/chat/logo")
async def logo(service: ServiceDep) -> Response:
    path = service.settings.landlord_logo
    if path is None:
        return Response(status_code=404)
    return FileResponse(path, headers={"Cache-Control": "no-cache"})


@router.get("/chat/pictures/{questionnaire_id}/{name:path}")
async def picture(service: ServiceDep, questionnaire_id: str, name: str) -> Response:
    """A choice's picture: only a file the questionnaire names and the validator checked,
    from that questionnaire's folder, with its own content type; cached, as it never
    changes under the same questionnaire version."""
    try:
        questionnaire = service.registry.latest(questionnaire_id)
    except KeyError:
        return Response(status_code=404)
    media_type = picture_media_type(name)
    if name not in questionnaire.pictures or not questionnaire.picture_folder or not media_type:
        return Response(status_code=404)
    folder = Path(questionnaire.picture_folder)
    path = (folder / name).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type=media_type, headers=PICTURE_HEADERS)


@router.post("/chat/reply")
async def reply(request: Request, service: ServiceDep) -> Response:
    session = chat_session(request)
    try:
        form, choices = await _checked_form(request, session)
        text, after = reply_text(form, choices), form_int(form, "after")
    except ChatError as error:
        return await _error(request, session, error)

    def answer() -> pages.ChatView | None:
        now = service.engine.clock()
        with service.database.engine.connect() as connection:
            status = webchat.status(connection, session.address)
        if not (status.open or status.opted_out):
            return None  # nothing to answer: the page offers the questionnaires instead
        service.engine.handle(webchat.inbound(session.address, text, after, now, status.language))
        return pages.load_view(service, request, session, after=after)

    try:
        view = await run_in_threadpool(answer)
    except Exception as failure:
        return await _error(request, session, _unexpected("reply", failure))
    if view is None or not _wants_json(request):
        return _redirect(service, session, f"#m-{view.after}" if view and view.after else "")
    response = pages.fragment(service, view)
    keep_session(response, session, service.settings)
    return response


@router.post("/chat/start")
async def start(request: Request, service: ServiceDep) -> Response:
    session = chat_session(request)
    try:
        form, _ = await _checked_form(request, session)
    except ChatError as error:
        return await _error(request, session, error)
    wanted = form.get("questionnaire", "")
    if wanted not in {q.id for q in pages.open_to_everyone(service)}:
        return await _error(request, session, ChatError(404, texts.CHAT_NOT_AVAILABLE))
    language = form.get("language") if form.get("language") in LANGUAGES else None
    if service.settings.welsh_language_landlord and not form.get("chosen"):
        language = None  # not chosen yet: a Welsh landlord opens in Welsh and English

    def begin() -> None:
        with service.database.engine.connect() as connection, connection.begin():
            webchat.touch_session(
                connection, session.address, service.engine.clock(), language=language
            )
        # Already in a conversation in this browser: the page shows that one.
        with contextlib.suppress(SessionAlreadyOpen):
            service.engine.start(
                channel=webchat.CHANNEL,
                address=session.address,
                questionnaire_id=wanted,
                language=language,
            )

    try:
        await run_in_threadpool(begin)
    except Exception as failure:
        return await _error(request, session, _unexpected("start", failure))
    return _redirect(service, session)


@router.post("/chat/more-time")
async def more_time(request: Request, service: ServiceDep) -> Response:
    """ "I need more time": the open conversation stays open for its full time again."""
    session = chat_session(request)
    try:
        await _checked_form(request, session)
    except ChatError as error:
        return await _error(request, session, error)

    def extend() -> bool:
        now = service.engine.clock()
        with service.database.engine.connect() as connection, connection.begin():
            status = webchat.status(connection, session.address)
            if status.version_id is None:
                return False
            questionnaire = service.registry.by_version_id(connection, status.version_id)
            until = now + datetime.timedelta(days=questionnaire.expiry_days)
            return webchat.more_time(connection, session.address, until)

    try:
        extended = await run_in_threadpool(extend)
    except Exception as failure:
        return await _error(request, session, _unexpected("more time", failure))
    return _redirect(service, session, "?extended=1#answer" if extended else "")


@router.post("/chat/language")
async def change_language(request: Request, service: ServiceDep) -> Response:
    session = chat_session(request)
    try:
        form, _ = await _checked_form(request, session)
        language = form.get("language", "")
        if language not in LANGUAGES:
            raise ChatError(422, texts.CHAT_BAD_REQUEST)
    except ChatError as error:
        return await _error(request, session, error)

    def switch() -> None:
        now = service.engine.clock()
        with service.database.engine.connect() as connection, connection.begin():
            webchat.touch_session(connection, session.address, now, language=language)
            status = webchat.status(connection, session.address)
            changed = False
            if status.version_id is not None and status.language != language:
                questionnaire = service.registry.by_version_id(connection, status.version_id)
                if language in questionnaire.languages:
                    changed = webchat.change_language(connection, session.address, language, now)
        if changed:
            service.engine.remind(channel=webchat.CHANNEL, address=session.address)

    try:
        await run_in_threadpool(switch)
    except Exception as failure:
        return await _error(request, session, _unexpected("language change", failure))
    return _redirect(service, session)


@router.get("/chat/{token}")
async def open_invite(request: Request, service: ServiceDep, token: str) -> Response:
    """A personal link from an SMS: start (or resume) that tenant's conversation here."""
    session = chat_session(request)
    asked = request.query_params.get("lang")
    language = asked if asked in LANGUAGES else None

    def open_link() -> ChatError | None:
        now = service.engine.clock()
        with service.database.engine.connect() as connection, connection.begin():
            found = invites.find_invite(connection, token, now)
            if found.status is invites.InviteStatus.UNKNOWN:
                return ChatError(404, texts.CHAT_INVITE_UNKNOWN)
            if found.status is invites.InviteStatus.EXPIRED:
                return ChatError(410, texts.CHAT_INVITE_EXPIRED)
            assert found.id is not None and found.respondent_id is not None
            respondent = found.respondent_id
            invites.mark_used(connection, found.id, now)
            resume = webchat.has_open_session(connection, respondent)
            mine = webchat.address_respondent(connection, session.address) == respondent
        if found.used and not resume:
            # Answered (or closed) already: this browser sees its transcript, others a note.
            return None if mine else ChatError(410, texts.CHAT_INVITE_USED)
        if not resume:
            try:
                service.engine.start(
                    channel=webchat.CHANNEL,
                    address=session.address,
                    questionnaire_id=str(found.questionnaire_id),
                    language=language,
                    respondent_id=respondent,
                )
                return None
            except KeyError:
                return ChatError(410, texts.CHAT_INVITE_EXPIRED)  # questionnaire withdrawn
            except SessionAlreadyOpen:
                pass  # opened meanwhile in another browser: resume it here
        service.engine.link(
            channel=webchat.CHANNEL, address=session.address, respondent_id=respondent
        )
        service.engine.remind(channel=webchat.CHANNEL, address=session.address)
        return None

    try:
        error = await run_in_threadpool(open_link)
    except Exception as failure:
        error = _unexpected("invite", failure)
    if error is not None:
        return await _error(request, session, error)
    return _redirect(service, session)
