"""Which column holds what: housing systems name the same field in many ways.

Every header is reduced to letters and digits (`header_key`) and looked up here. Numbered
phone columns ("Phone 1", "Mobile2") are all phone columns; "attr:<name>" imports any other
column as the profile attribute <name>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.tenants.table import header_key

ALIASES: dict[str, tuple[str, ...]] = {
    "tenant_ref": (
        "tenantref", "tenantreference", "tenantid", "tenantno", "tenantnumber", "tenancyref",
        "tenancyreference", "tenancyid", "customerref", "customerreference", "customerid",
        "personref", "reference", "ref",
    ),
    "name": ("name", "tenantname", "fullname", "leadtenant", "leadtenantname", "customername"),
    "first_name": ("firstname", "forename", "forenames", "givenname"),
    "last_name": ("lastname", "surname", "familyname"),
    "phone": (
        "phone", "phonenumber", "phoneno", "mobile", "mobilenumber", "mobileno", "mobilephone",
        "telephone", "telephonenumber", "tel", "homephone", "workphone", "contactnumber",
        "sms", "smsnumber", "cell", "cellphone",
    ),
    "email": ("email", "emailaddress"),
    "language": ("language", "preferredlanguage", "firstlanguage", "mainlanguage"),
    "preferred_channel": (
        "preferredchannel", "contactpreference", "preferredcontact", "preferredcontactmethod",
        "contactmethod", "channel",
    ),
    "address": ("address", "fulladdress", "propertyaddress", "homeaddress"),
    "address_line": (
        "addressline1", "addressline2", "addressline3", "address1", "address2", "address3",
        "street", "town", "city",
    ),
    "postcode": ("postcode", "postalcode", "zip"),
    "estate": ("estate", "estatename", "scheme", "schemename", "development", "block"),
    "area": ("area", "patch", "district", "neighbourhood", "locality", "region", "ward"),
    "tenure": ("tenure", "tenuretype", "tenancytype"),
    "nation": ("nation", "country", "homenation"),  # whose bank holidays count for cases
    "timezone": ("timezone", "tz"),
    "household_size": (
        "householdsize", "numberofoccupants", "occupants", "peopleinhousehold",
        "householdmembers",
    ),
    "children_under_16": ("childrenunder16", "children", "numberofchildren"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate", "dateborn"),
}  # fmt: skip
_LOOKUP = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_NUMBERED = re.compile(r"^(.*?)(\d+)$")
ATTRIBUTE_PREFIX = "attr:"
_ATTRIBUTE_NAME = re.compile(r"[^a-z0-9]+")


@dataclass
class ColumnMap:
    """Field name -> column positions, plus what could not be placed."""

    fields: dict[str, list[int]] = field(default_factory=dict)
    attributes: dict[str, int] = field(default_factory=dict)  # "attr:" columns
    ignored: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)  # a single field named twice
    headers: list[str] = field(default_factory=list)  # as written, to name them in problems

    def header(self, position: int) -> str:
        return self.headers[position] if position < len(self.headers) else ""

    def first(self, name: str) -> int | None:
        positions = self.fields.get(name)
        return positions[0] if positions else None


MULTI_COLUMN = frozenset({"phone", "address_line"})


def field_for(header: str) -> str | None:
    key = header_key(header)
    if key in _LOOKUP:
        return _LOOKUP[key]
    numbered = _NUMBERED.match(key)
    if numbered and _LOOKUP.get(numbered.group(1)) == "phone":
        return "phone"
    return None


def attribute_name(header: str) -> str | None:
    """`attr: Vulnerability flag` -> `vulnerability_flag`."""
    if not header.lower().startswith(ATTRIBUTE_PREFIX):
        return None
    name = _ATTRIBUTE_NAME.sub("_", header[len(ATTRIBUTE_PREFIX) :].lower()).strip("_")
    return name[:64] or None


def map_columns(headers: list[str]) -> ColumnMap:
    columns = ColumnMap(headers=list(headers))
    for position, header in enumerate(headers):
        attribute = attribute_name(header)
        if attribute is not None:
            columns.attributes[attribute] = position
            continue
        name = field_for(header)
        if name is None:
            if header:
                columns.ignored.append(header)
            continue
        if name in columns.fields and name not in MULTI_COLUMN:
            columns.duplicated.append(header)
            continue
        columns.fields.setdefault(name, []).append(position)
    return columns
