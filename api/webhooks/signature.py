"""`X-Twilio-Signature` for a form webhook: what `twilio.RequestValidator.validate` decides.

Twilio signs the public URL followed by every form field's name and value (sorted by name,
then value), with HMAC-SHA1 keyed by the Auth Token, and its servers sometimes sign the URL
with the default port and sometimes without; the validator accepts either. It computes
both HMACs on every request and parses the URL each time. Here the URL's two spellings are
worked out once per URL, the fields are sorted once, and the second HMAC is computed only
when the first did not match: the same answer for every request, half the work for a good
one (`tests/api/webhooks/test_signature.py` checks it against the validator).
"""

from __future__ import annotations

import base64
import functools
import hmac
from collections.abc import Iterable
from urllib.parse import urlparse

from twilio.request_validator import add_port, remove_port


@functools.lru_cache(maxsize=64)
def _spellings(url: str) -> tuple[str, str]:
    """The URL's two spellings, without and with its port (the validator tries both), the
    one written as configured first: that is the one Twilio is given, so it usually signs
    it and the second HMAC is not needed."""
    parsed = urlparse(url)
    without, with_port = remove_port(parsed), add_port(parsed)
    return (with_port, without) if url == with_port else (without, with_port)


def _signature(token: bytes, text: str) -> bytes:
    return base64.b64encode(hmac.digest(token, text.encode("utf-8"), "sha1"))


def is_signed(token: str, url: str, fields: Iterable[tuple[str, str]], signature: str) -> bool:
    """Whether `signature` is Twilio's for this URL and form (each distinct pair counts once)."""
    given = signature.encode("utf-8")
    key = token.encode("utf-8")
    signed = "".join(name + value for name, value in sorted(set(fields)))
    return any(
        hmac.compare_digest(_signature(key, spelling + signed), given)
        for spelling in _spellings(url)
    )
