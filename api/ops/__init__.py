"""What operators watch: the access log without tokens, JSON logs, `/metrics` and `/ready`,
and 503 answers while the database cannot be written."""
