"""A local stand-in for Twilio's REST API (the Messages resource) on 127.0.0.1.

The real `twilio` client talks to it over HTTP: `FakeTwilioApi.http_client()` is Twilio's own
requests-based client with the host `api.twilio.com` swapped for this server, so request
building, authentication, error parsing and paging are the library's. The server answers
like Twilio: create a message (201 with a JSON message and its `SM...` sid), list messages
(a page with `messages`), Twilio-shaped errors (21610 and others) on demand, and it records
what was sent. `signature()` signs webhooks the way Twilio does.

WhatsApp (`To=whatsapp:+44…`) is held to WhatsApp's rules: a free-form `Body` goes only
within 24 hours of the recipient's last message (`heard_from` tells the fake, as the
WhatsApp webhook helper does), otherwise the answer is HTTP 400 with error 63016 as
Twilio gives it; a `ContentSid` with `ContentVariables` (an approved template) always goes,
its text rendered from `contents` when the test registered the template's words. Buttons
made through the Content API (`POST content.twilio.com/v1/Content`, kept in `created`) are
session messages: like free text, they go only inside the window.
"""

from __future__ import annotations

import base64
import datetime
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from twilio.request_validator import RequestValidator

from bot.i18n.sms_encoding import sms_cost
from channels.sms.sender import QuietHttpClient

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "test-auth-token-not-a-secret"
MESSAGING_SERVICE_SID = "MG" + "0" * 31 + "2"
WHATSAPP = "whatsapp:"
WHATSAPP_WINDOW = datetime.timedelta(hours=24)
_sids = itertools.count(1)
_VARIABLE = re.compile(r"\{\{(\w+)\}\}")


def signature(url: str, params: Mapping[str, str], token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature for a webhook to `url` carrying `params`."""
    return str(RequestValidator(token).compute_signature(url, dict(params)))


def rfc2822(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


@dataclass
class FakeMessage:
    sid: str
    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    status_callback: str | None
    date_created: datetime.datetime
    status: str = "queued"
    segments: int = 1  # the parts Twilio bills, counted from the body
    received: float = 0.0  # time.monotonic() when the fake accepted it
    content_sid: str | None = None  # a WhatsApp template or buttons
    content_variables: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (id, title) shown

    def payload(self, account_sid: str) -> dict[str, Any]:
        uri = f"/2010-04-01/Accounts/{account_sid}/Messages/{self.sid}.json"
        return {
            "account_sid": account_sid,
            "api_version": "2010-04-01",
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": None,
            "date_updated": rfc2822(self.date_created),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(self.segments),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": self.to,
            "uri": uri,
        }


@dataclass
class Failure:
    status: int
    code: int | None
    message: str
    drop: bool = False  # close the connection without an answer (a network failure)


@dataclass
class FakeTwilioApi:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    clock: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.UTC)
    messages: list[FakeMessage] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    refused: dict[str, Failure] = field(default_factory=dict)  # by "To" number
    upcoming: list[Failure] = field(default_factory=list)  # for the next creates, in order
    last_inbound: dict[str, datetime.datetime] = field(default_factory=dict)  # whatsapp:+44…
    contents: dict[str, str] = field(default_factory=dict)  # template words by ContentSid
    created: dict[str, dict[str, Any]] = field(default_factory=dict)  # Content API, by sid
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # Configuring failures -------------------------------------------------------------
    def opt_out(self, number: str) -> None:
        """The number sent STOP to Twilio: sends to it fail with 21610."""
        self.refused[number] = Failure(400, 21610, "Attempt to send to unsubscribed recipient")

    def fail_next(self, status: int, code: int | None = None, message: str = "Error") -> None:
        self.upcoming.append(Failure(status, code, message))

    def drop_next(self) -> None:
        self.upcoming.append(Failure(0, None, "", drop=True))

    def heard_from(self, number: str, at: datetime.datetime | None = None) -> None:
        """The WhatsApp user wrote to us: free-form messages may go for 24 hours."""
        with self.lock:
            self.last_inbound[_whatsapp(number)] = at or self.clock()

    # Reading what happened ------------------------------------------------------------
    def sent_to(self, number: str) -> list[FakeMessage]:
        with self.lock:
            return [message for message in self.messages if message.to == number]

    # Running ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeTwilioApi:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def http_client(self) -> LocalHttpClient:
        return LocalHttpClient(self.base_url)

    def client(self) -> Any:
        from twilio.rest import Client

        return Client(self.account_sid, self.auth_token, http_client=self.http_client())

    # Handling -----------------------------------------------------------------------------
    def authorised(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"

    def create(self, form: Mapping[str, str]) -> tuple[int, dict[str, Any]] | Failure:
        with self.lock:
            failure = self.upcoming.pop(0) if self.upcoming else None
            if failure is None:
                failure = self.refused.get(form.get("To", ""))
            if failure is not None:
                return failure
            if form.get("To", "").startswith(WHATSAPP):
                return self._create_whatsapp(form)
            if not form.get("To") or not form.get("Body"):
                return Failure(400, 21604, "A 'To' phone number and a 'Body' are required.")
            if not (form.get("From") or form.get("MessagingServiceSid")):
                return Failure(400, 21603, "A 'From' or 'MessagingServiceSid' is required.")
            message = FakeMessage(
                sid=f"SM{next(_sids):032x}",
                to=form["To"],
                body=form["Body"],
                from_=form.get("From"),
                messaging_service_sid=form.get("MessagingServiceSid"),
                status_callback=form.get("StatusCallback"),
                date_created=self.clock(),
                status="accepted" if form.get("MessagingServiceSid") else "queued",
                segments=sms_cost(form["Body"]).segments,
                received=time.monotonic(),
            )
            self.messages.append(message)
            return 201, message.payload(self.account_sid)

    def _create_whatsapp(self, form: Mapping[str, str]) -> tuple[int, dict[str, Any]] | Failure:
        """A WhatsApp send, by WhatsApp's rules (the lock is held)."""
        to = form["To"]
        if not form.get("From", "").startswith(WHATSAPP):
            return Failure(400, 63007, "Twilio could not find a Channel with the From address")
        content_sid = form.get("ContentSid")
        if not (content_sid or form.get("Body")):
            return Failure(400, 21619, "A text message body or media URL must be specified.")
        variables: dict[str, str] = {}
        buttons: list[tuple[str, str]] = []
        session = content_sid is None or content_sid in self.created
        heard = self.last_inbound.get(to)
        if session and (heard is None or self.clock() - heard >= WHATSAPP_WINDOW):
            # Free text and buttons made through the Content API are not approved templates.
            return Failure(
                400,
                63016,
                "Failed to send freeform message because you are outside the allowed "
                "window. If you are using WhatsApp, please use a Message Template.",
            )
        if content_sid in self.created:
            variables = json.loads(form.get("ContentVariables") or "{}")
            spec = next(iter(self.created[content_sid].values()))
            entries = spec.get("actions") or spec.get("items") or []
            buttons = [(entry["id"], entry.get("title") or entry["item"]) for entry in entries]
            body = _VARIABLE.sub(lambda found: variables.get(found[1], ""), spec["body"])
        elif content_sid:
            variables = json.loads(form.get("ContentVariables") or "{}")
            words = self.contents.get(content_sid, " ".join(variables.values()))
            body = _VARIABLE.sub(lambda found: variables.get(found[1], ""), words)
        else:
            body = form["Body"]
        message = FakeMessage(
            sid=f"SM{next(_sids):032x}",
            to=to,
            body=body,
            from_=form["From"],
            messaging_service_sid=None,
            status_callback=form.get("StatusCallback"),
            date_created=self.clock(),
            received=time.monotonic(),
            content_sid=content_sid,
            content_variables=variables,
            buttons=buttons,
        )
        self.messages.append(message)
        return 201, message.payload(self.account_sid)

    def create_content(self, request: Mapping[str, Any]) -> tuple[int, dict[str, Any]] | Failure:
        """The Content API's create: keeps the one non-empty type, answers with its HX sid."""
        types = {kind: spec for kind, spec in (request.get("types") or {}).items() if spec}
        if len(types) != 1 or not request.get("language"):
            return Failure(400, 20001, "Content needs a language and exactly one type.")
        with self.lock:
            sid = f"HX{next(_sids):032x}"
            self.created[sid] = types
        return 201, {
            "sid": sid,
            "friendly_name": request.get("friendly_name"),
            "types": types,
            "language": request["language"],
            "variables": request.get("variables"),
        }

    def list(self, query: Mapping[str, list[str]]) -> dict[str, Any]:
        to = query.get("To", [None])[0]
        size = int(query.get("PageSize", ["50"])[0])
        with self.lock:
            chosen = [m for m in reversed(self.messages) if to is None or m.to == to][:size]
        path = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        return {
            "messages": [message.payload(self.account_sid) for message in chosen],
            "end": max(0, len(chosen) - 1),
            "first_page_uri": path,
            "next_page_uri": None,
            "page": 0,
            "page_size": size,
            "previous_page_uri": None,
            "start": 0,
            "uri": path,
        }


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTwilioApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, failure: Failure) -> None:
        if failure.drop:
            self.close_connection = True
            self.connection.close()
            return
        self._answer(
            failure.status,
            {
                "code": failure.code,
                "message": failure.message,
                "more_info": f"https://www.twilio.com/docs/errors/{failure.code}",
                "status": failure.status,
            },
        )

    def _messages_path(self) -> bool:
        path = urlsplit(self.path).path
        self.fake.requests.append((self.command, path))
        return path == f"/2010-04-01/Accounts/{self.fake.account_sid}/Messages.json"

    def _checked(self) -> bool:
        if not self.fake.authorised(self.headers.get("Authorization")):
            self._error(Failure(401, 20003, "Authenticate"))
            return False
        if not self._messages_path():
            self._error(Failure(404, 20404, "The requested resource was not found"))
            return False
        return True

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length).decode()
        if urlsplit(self.path).path == "/v1/Content":
            self.fake.requests.append((self.command, "/v1/Content"))
            if not self.fake.authorised(self.headers.get("Authorization")):
                self._error(Failure(401, 20003, "Authenticate"))
                return
            outcome = self.fake.create_content(json.loads(raw or "{}"))
            if isinstance(outcome, Failure):
                self._error(outcome)
            else:
                self._answer(*outcome)
            return
        if not self._checked():
            return
        form = {key: values[0] for key, values in parse_qs(raw).items()}
        outcome = self.fake.create(form)
        if isinstance(outcome, Failure):
            self._error(outcome)
        else:
            self._answer(*outcome)

    def do_GET(self) -> None:
        if self._checked():
            self._answer(200, self.fake.list(parse_qs(urlsplit(self.path).query)))


class LocalHttpClient(QuietHttpClient):
    """Twilio's own HTTP client, sending what it meant for *.twilio.com to the fake."""

    def __init__(self, base_url: str) -> None:
        super().__init__(timeout=5.0)
        self.base = urlsplit(base_url)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        if parts.hostname is None or not parts.hostname.endswith("twilio.com"):
            raise AssertionError("the Twilio client was asked to call a host that is not Twilio")
        local = urlunsplit((self.base.scheme, self.base.netloc, parts.path, parts.query, ""))
        return super().request(method, local, *args, **kwargs)


def _whatsapp(number: str) -> str:
    return number if number.startswith(WHATSAPP) else WHATSAPP + number


@contextmanager
def running_fake(**options: Any) -> Iterator[FakeTwilioApi]:
    fake = FakeTwilioApi(**options).start()
    try:
        yield fake
    finally:
        fake.stop()
