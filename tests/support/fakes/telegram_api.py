"""A local fake of the Telegram Bot API, for python-telegram-bot to talk to over HTTP.

Listens on 127.0.0.1 and answers `/bot<token>/<method>` like api.telegram.org: getMe,
sendMessage, answerCallbackQuery, editMessageReplyMarkup, getUpdates (long polling),
deleteWebhook and setWebhook. Every call is recorded; errors can be queued per method
(403 "bot was blocked by the user", 429 with retry_after). Also builds the updates Telegram
would send, for the webhook tests.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456:TEST-fake-token"
BOT_USERNAME = "doorstep_test_bot"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class ApiError:
    status: int
    description: str
    retry_after: int | None = None


def forbidden() -> ApiError:
    return ApiError(403, "Forbidden: bot was blocked by the user")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def _decode(value: str) -> Any:
    # PTB sends every parameter as a form field, JSON-encoding the ones that are not strings.
    try:
        return json.loads(value)
    except ValueError:
        return value


@dataclass
class FakeTelegramAPI:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    errors: dict[str, list[ApiError]] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    poll_wait: float = 0.1  # how long an empty getUpdates waits (the real one up to `timeout`)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._message_ids = itertools.count(1001)
        self._server: ThreadingHTTPServer | None = None

    # Running.
    def start(self) -> FakeTelegramAPI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:  # PTB posts; GET works too on the real API
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # Test controls.
    def fail_next(self, method: str, error: ApiError) -> None:
        with self._lock:
            self.errors.setdefault(method, []).append(error)

    def queue_update(self, update: dict[str, Any]) -> None:
        with self._lock:
            self.updates.append(update)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [call.params for call in self.calls if call.method == method]

    def times(self, method: str) -> list[float]:
        with self._lock:
            return [call.at for call in self.calls if call.method == method]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Every sendMessage, with the message id this fake gave it."""
        return [
            params
            for params in self.calls_to("sendMessage")
            if chat_id is None or params["chat_id"] == chat_id
        ]

    # The API.
    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        prefix, _, method = request.path.lstrip("/").partition("/")
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length).decode("utf-8")
        params = {key: _decode(value) for key, value in parse_qsl(raw, keep_blank_values=True)}
        if prefix != f"bot{self.token}":
            self._reply(
                request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
            return
        with self._lock:
            queued = self.errors.get(method)
            error = queued.pop(0) if queued else None
            if error is None and method != "getUpdates":
                self.calls.append(Call(method, params))
        if error is not None:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.status,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            self._reply(request, error.status, body)
            return
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            self._reply(request, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self._reply(request, 200, {"ok": True, "result": handler(params)})

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": int(self.token.split(":")[0]),
            "is_bot": True,
            "first_name": "Doorstep",
            "username": BOT_USERNAME,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        message_id = next(self._message_ids)
        params["message_id"] = message_id  # recorded with the call, for tapping its buttons
        message = _message(params["chat_id"], message_id, params["text"])
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = _message(params["chat_id"], params["message_id"], "")
        message["reply_markup"] = params.get("reply_markup")
        return message

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(self.poll_wait, float(params.get("timeout") or 0))
        while True:
            with self._lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or time.monotonic() >= deadline:
                    return list(self.updates)
            time.sleep(0.02)


def _message(chat_id: int, message_id: int, text: str) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Tenant"},
        "text": text,
    }


def buttons(sent: dict[str, Any]) -> list[tuple[str, str]]:
    """The (text, callback data) of every inline button of a recorded sendMessage."""
    keyboard = sent["reply_markup"]["inline_keyboard"]
    return [(key["text"], key["callback_data"]) for row in keyboard for key in row]


# Updates as Telegram sends them.
_update_ids = itertools.count(500_000)


def next_update_id() -> int:
    return next(_update_ids)


def _user(chat_id: int, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Tenant"}
    if language_code:
        user["language_code"] = language_code
    return user


def message_update(
    chat_id: int,
    text: str | None,
    *,
    update_id: int | None = None,
    language_code: str | None = "en",
    chat_type: str = "private",
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": chat_type, "first_name": "Tenant"},
        "from": _user(chat_id, language_code),
    }
    if text is None:
        message["sticker"] = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    else:
        message["text"] = text
    return {"update_id": update_id or next_update_id(), "message": message}


def callback_update(
    chat_id: int,
    sent: dict[str, Any],
    data: str,
    *,
    update_id: int | None = None,
    language_code: str | None = "en",
    markup: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A tap on a button of `sent` (a recorded sendMessage call), showing `markup` if given
    (the keyboard after an edit)."""
    message = _message(chat_id, sent["message_id"], sent["text"])
    if markup is not None or "reply_markup" in sent:
        message["reply_markup"] = markup if markup is not None else sent["reply_markup"]
    return {
        "update_id": update_id or next_update_id(),
        "callback_query": {
            "id": f"cbq-{next(_update_ids)}",
            "from": _user(chat_id, language_code),
            "chat_instance": "ci-1",
            "message": message,
            "data": data,
        },
    }


def member_update(chat_id: int, status: str, *, update_id: int | None = None) -> dict[str, Any]:
    """The bot's own membership of a private chat changed: "kicked" when the tenant blocks
    it, "member" when they unblock it."""
    bot = {"id": 1, "is_bot": True, "first_name": "Doorstep", "username": BOT_USERNAME}
    return {
        "update_id": update_id or next_update_id(),
        "my_chat_member": {
            "chat": {"id": chat_id, "type": "private", "first_name": "Tenant"},
            "from": _user(chat_id, "en"),
            "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": bot},
            "new_chat_member": {"status": status, "user": bot, "until_date": 0},
        },
    }
