"""The one guard for text cells in every CSV and XLSX file Doorstep writes.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return, which they skip first) as a formula. Exports, report tables and problem lists all
pass their text cells through `neutralise`, which puts a `'` in front: the text stays
readable and can no longer run. Numbers are not text, so a negative number is untouched.
Values are stored as typed (an import trims the spaces around a cell); they are made safe
where they leave the product, because only there is it known that a spreadsheet reads them.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
