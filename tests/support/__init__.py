"""Shared test support: services the test run starts for itself."""
