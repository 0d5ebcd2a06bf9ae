"""Telegram, through python-telegram-bot (PTB)."""

import os

# PTB 22 gives time periods (a flood limit's `retry_after`) as whole seconds and warns that
# its next major version gives a timedelta; opting in now (PTB's own switch, read when the
# value is read) ends the warnings, and `sender.retry_seconds` reads either form. An operator
# who sets PTB_TIMEDELTA themselves keeps their choice.
os.environ.setdefault("PTB_TIMEDELTA", "true")
