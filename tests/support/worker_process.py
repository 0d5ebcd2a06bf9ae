"""`doorstep worker` in a subprocess, its Twilio client pointed at a local fake.

Twilio's REST host is fixed inside the library, so the crash test swaps the SMS channel's
HTTP client class for the fake's (the same redirect the in-process tests inject) before the
real command starts. Set DOORSTEP_TEST_TWILIO_URL to the fake's base URL.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import channels.sms.sender
from tests.support.fakes.twilio_api import LocalHttpClient


class _ToTheFake(LocalHttpClient):
    def __init__(self, **_options: Any) -> None:
        super().__init__(os.environ["DOORSTEP_TEST_TWILIO_URL"])


if __name__ == "__main__":
    channels.sms.sender.QuietHttpClient = _ToTheFake  # type: ignore[misc]
    from api.cli.main import main

    sys.argv = ["doorstep", "worker", *sys.argv[1:]]
    main()
