"""The accessible web chat: `/chat` (open to everyone) and `/chat/{invite}` (personal links)."""
