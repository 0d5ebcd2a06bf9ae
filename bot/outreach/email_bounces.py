"""Bounce reports from a mail provider: which addresses failed, and why in words.

Two forms are read: an RFC 3464 delivery-status notification (a `multipart/report` email, or
its `message/delivery-status` part alone), whose recipients with `Action: failed` and a 5.x.x
status failed; and a provider's JSON, `{"address": "...", "reason": "..."}` or a list of
those. A 4.x.x (delayed) report marks nothing: the provider is still trying.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

from sqlalchemy import Connection

from bot.outreach.email_addresses import EMAIL, normal_address
from bot.outreach.optout import mark_address_failed

MAX_REASON = 120
_ADDRESS_LIKE = re.compile(r"\S*@\S*")


@dataclass(frozen=True)
class Bounce:
    address: str  # personal: never log it
    reason: str  # a sentence for officers, without the address


class UnreadableReport(ValueError):
    """The body is neither a delivery-status report nor the JSON described above."""


def bounces_from_json(data: Any) -> list[Bounce]:
    items = data if isinstance(data, list) else [data]
    found = []
    for item in items:
        if not isinstance(item, dict) or normal_address(item.get("address")) is None:
            raise UnreadableReport('Each bounce must be an object like {"address": "a@b.org"}.')
        detail = str(item.get("reason") or "").strip()[:MAX_REASON]
        address = str(normal_address(item["address"]))
        found.append(Bounce(address, _sentence(detail.replace(address, "the address"))))
    return found


def bounces_from_report(raw: bytes) -> list[Bounce]:
    """The failed recipients of an RFC 3464 report (the whole email or its status part)."""
    message = message_from_bytes(raw, policy=policy.default)
    parts = [
        part for part in message.walk() if part.get_content_type() == "message/delivery-status"
    ]
    if not parts and message.get_content_type() == "message/delivery-status":
        parts = [message]
    if not parts:
        raw_fields = message_from_bytes(b"\r\n" + raw.lstrip(), policy=policy.default)
        if not raw_fields.get_payload():
            raise UnreadableReport("The body holds no delivery-status report (RFC 3464).")
        parts = [raw_fields]
    found = []
    for part in parts:
        for fields in _recipient_fields(part):
            bounce = _failed(fields)
            if bounce is not None:
                found.append(bounce)
    return found


def record_bounces(connection: Connection, bounces: list[Bounce], now: datetime.datetime) -> int:
    """Mark each address failed; how many were addresses Doorstep had written to."""
    return sum(
        mark_address_failed(connection, EMAIL, bounce.address, bounce.reason, now)
        for bounce in bounces
    )


def _recipient_fields(part: Message) -> list[Message]:
    """The per-recipient field groups of a delivery-status part (after the per-message one)."""
    payload = part.get_payload()
    if isinstance(payload, list):  # the email package parsed the groups as messages
        groups = [item for item in payload if isinstance(item, Message)]
        return groups[1:] if len(groups) > 1 else groups
    text = payload if isinstance(payload, str) else str(part)
    blocks = [block for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    parsed = [message_from_bytes(block.encode(), policy=policy.default) for block in blocks]
    return [group for group in parsed if group.get("Final-Recipient")]


def _failed(fields: Message) -> Bounce | None:
    action = str(fields.get("Action", "")).strip().lower()
    status = str(fields.get("Status", "")).strip()
    recipient = str(fields.get("Final-Recipient") or fields.get("Original-Recipient") or "")
    address = normal_address(recipient.partition(";")[2] or recipient)
    if address is None or action != "failed" or not status.startswith("5"):
        return None
    diagnostic = str(fields.get("Diagnostic-Code", "")).partition(";")[2].strip()
    detail = diagnostic.replace(address, "the address")[:MAX_REASON]
    return Bounce(address, _sentence(f"status {status}" + (f", {detail}" if detail else "")))


def _sentence(detail: str) -> str:
    detail = _ADDRESS_LIKE.sub("the address", detail)
    base = "The mail provider reported that email to this address cannot be delivered"
    return f"{base} ({detail})." if detail else f"{base}."
