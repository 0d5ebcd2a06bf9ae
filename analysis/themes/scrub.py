"""Scrub a quote of what could identify someone: emails, phone numbers, postcodes, street
addresses and names (after a title or "my name is"). What is taken out is replaced with a
word in square brackets, so the reader sees that something was there."""

from __future__ import annotations

import re

_RULES = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?:(?:\+|00)\d{1,3}[\s-]?)?(?:\(?\d[\d\s().-]{7,}\d)"), "[phone number]"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE), "[postcode]"),
    (re.compile(
        r"\b\d+[a-zA-Z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|"
        r"Ln|Close|Drive|Dr|Court|Ct|Way|Place|Crescent|Terrace|Gardens|Grove|Heol|Ffordd|"
        r"Stryd|Lôn)\b"), "[address]"),
    (re.compile(r"\b\d+[a-zA-Z]?,?\s+(?:Heol|Ffordd|Stryd|Lôn|Rhodfa|Cilgant|Maes|Parc)"
                r"(?:\s+(?:y|yr|[A-Z][\w'-]*)){1,3}"), "[address]"),
    (re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?"),
     "[name]"),
    (re.compile(r"\b((?:my name is|name's|i am called|fy enw i yw|fy enw yw)\s+)[\w'-]+"
                r"(?:\s+[A-Z][\w'-]+)?", re.IGNORECASE), r"\1[name]"),
    (re.compile(r"\b((?i:called|named|ask for|asked for|spoke to|spoke with|siarad â)\s+)"
                r"[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?"), r"\1[name]"),
)  # fmt: skip


def scrub(text: str) -> str:
    """The text with emails, phone numbers, postcodes, addresses and names replaced."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
