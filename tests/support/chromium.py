"""Which Chromium the browser tests drive: no fixed path, so any machine can run them."""

from __future__ import annotations

import os
import shutil

OVERRIDE_VARIABLE = "DOORSTEP_TEST_CHROMIUM"
NAMES = ("chromium", "chromium-browser", "google-chrome")
MISSING = (
    "No Chromium was found for the browser tests: run scripts/test, which installs Debian's "
    f"chromium package, or set {OVERRIDE_VARIABLE} to a Chromium or Chrome program."
)


def find_chromium() -> str | None:
    """The override when set, else the first of NAMES on PATH."""
    override = os.environ.get(OVERRIDE_VARIABLE)
    if override:
        return shutil.which(override)  # a full path, or a name looked up on PATH
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None
