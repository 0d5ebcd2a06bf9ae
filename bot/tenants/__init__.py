"""Tenants: import from housing-management exports (CSV and XLSX), phone numbers, queries."""
