"""Reading the fields people type: ISO 8601 dates and times, and validation errors turned into
sentences that name each field as people call it."""
