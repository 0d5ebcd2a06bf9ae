"""Analysis: tidy frames from storage, communication features, segments, demo data.

Reads the service's tables (see docs/analysis.md); the service never imports this package.
"""
