"""Campaigns: an audience, an optional sample, a channel policy, quiet hours, a pace,
reminders and an expiry, run by the scheduler's tick (`run_campaigns`)."""

from __future__ import annotations

from bot.campaigns.lifecycle import CampaignStateError
from bot.campaigns.sampling import sample_size
from bot.campaigns.spec import CampaignSpec, CampaignSpecError
from bot.campaigns.tick import TickReport, run_campaigns

__all__ = [
    "CampaignSpec",
    "CampaignSpecError",
    "CampaignStateError",
    "TickReport",
    "run_campaigns",
    "sample_size",
]
