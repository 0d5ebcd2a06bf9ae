"""The console's new-campaign form gets the same sentences as the command line (issue 13)."""

from __future__ import annotations

import pytest

from api.campaigns.form import spec_from_form
from bot.campaigns.spec import CampaignSpecError, parse_spec


def test_every_bad_field_of_the_form_is_a_sentence_at_once() -> None:
    form = {
        "name": "Spring",
        "questionnaire": "tsm_perception",
        "starts_at": "2027-03",
        "timezone": "Europe/Londn",
        "reminders": "lots",
    }
    with pytest.raises(CampaignSpecError) as caught:
        parse_spec(spec_from_form(form))
    assert caught.value.problems == [
        "The start time is not a date and time Doorstep can read: write it like 2027-03-02 "
        "09:00 (a time without a zone is read in the campaign's timezone).",
        "The timezone: 'Europe/Londn' is not a known timezone (e.g. Europe/London).",
        "The number of reminders must be a whole number: write it like 1.",
    ]
