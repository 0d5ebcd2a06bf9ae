"""What the dispatcher counts for operators: sends, and failures by the provider's code.

Process-wide Prometheus counters (`prometheus-client`); `/metrics` serves them with the
gauges it reads from the database at scrape time. Labels are channels, outcome kinds and
provider error codes only: never an address, a body or a reason text.
"""

from __future__ import annotations

import re

from prometheus_client import Counter

from bot.dispatch.sending import PermanentSendError, SendResult, TransientSendError

SENT = Counter("doorstep_messages_sent", "Messages the provider accepted.", ["channel"])
FAILURES = Counter(
    "doorstep_send_failures",
    "Sends the provider refused: retried (transient), given up (permanent) or opted out.",
    ["channel", "kind", "code"],
)
# A provider code is short and plain (Twilio 21610, HTTP 429, an exception type name);
# anything else is counted as "other" so a label can never carry someone's data.
_CODE = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def code_label(code: str | None) -> str:
    if not code:
        return "none"
    return code if _CODE.fullmatch(code) else "other"


def count_outcome(
    channel: str, outcome: SendResult | TransientSendError | PermanentSendError
) -> None:
    if isinstance(outcome, SendResult):
        SENT.labels(channel).inc()
        return
    if isinstance(outcome, PermanentSendError):
        kind = "opted_out" if outcome.opted_out else "permanent"
    else:
        kind = "transient"
    FAILURES.labels(channel, kind, code_label(outcome.code)).inc()
