"""Campaigns: an audience, an optional sample, a channel policy, quiet hours, a pace,
reminders and an expiry, run by the scheduler's tick (`bot.campaigns.tick.run_campaigns`)."""
