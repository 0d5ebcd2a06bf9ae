"""Phone numbers in one form (E.164, e.g. +447700900123) so one tenant is one SMS identity.

Twilio sends E.164 already, but numbers typed by officers or imported from housing systems
come as "07700 900123" or "0044 7700 900123"; a number without a country code is read in
the default region (GB unless `DOORSTEP_SMS_DEFAULT_REGION` says otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

MAX_INPUT_LENGTH = 40  # longer than any written phone number, with spaces and punctuation


class InvalidPhoneNumber(ValueError):
    """A number that cannot be an SMS address; the message says why (never the number).

    Only the length for the country is checked, not whether the range is allocated: the
    library's numbering-plan data lags new ranges, and Ofcom's drama range (07700 900xxx),
    used in tests and training, is deliberately "unallocated".
    """


@dataclass(frozen=True)
class PhoneNumber:
    e164: str
    landline: bool  # certainly a fixed line: it cannot take a text


def read_phone(raw: str, region: str = "GB") -> PhoneNumber:
    """The number in E.164 with its kind, or `InvalidPhoneNumber` with the reason."""
    text = raw.strip()
    if not text:
        raise InvalidPhoneNumber("The phone number is empty.")
    if len(text) > MAX_INPUT_LENGTH:
        raise InvalidPhoneNumber(
            f"The phone number is longer than {MAX_INPUT_LENGTH} characters, so it cannot be "
            "a phone number."
        )
    try:
        parsed = phonenumbers.parse(text, region.upper() or None)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(_parse_reason(error)) from None
    # Strict: "possible for local dialling only" (a number without its area code) is refused.
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise InvalidPhoneNumber("The phone number has the wrong number of digits for its country.")
    return PhoneNumber(
        e164=str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)),
        landline=phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.FIXED_LINE,
    )


def normalise_phone(raw: str, region: str = "GB") -> str:
    """The number in E.164, or `InvalidPhoneNumber` with the reason."""
    return read_phone(raw, region).e164


def _parse_reason(error: phonenumbers.NumberParseException) -> str:
    kinds = phonenumbers.NumberParseException
    if error.error_type == kinds.INVALID_COUNTRY_CODE:
        return (
            "The phone number has no valid country code; write it with + and the country "
            "code, for example +44 7700 900123."
        )
    if error.error_type in (kinds.TOO_SHORT_NSN, kinds.TOO_SHORT_AFTER_IDD):
        return "The phone number is too short."
    if error.error_type == kinds.TOO_LONG:
        return "The phone number is too long."
    return (
        "The phone number could not be read; write it with digits, spaces and an optional "
        "leading + and country code."
    )


def is_phone_number(raw: str, region: str = "GB") -> bool:
    try:
        normalise_phone(raw, region)
    except InvalidPhoneNumber:
        return False
    return True
