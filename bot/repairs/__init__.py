"""Post-repair follow-up surveys: one per completed job, after a delay, inside allowed hours."""
