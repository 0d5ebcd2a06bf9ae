"""Tenant import from housing-management exports (CSV and XLSX)."""

from bot.tenants.importer import ImportSummary, import_tenants
from bot.tenants.rows import Problem
from bot.tenants.table import TableError

__all__ = ["ImportSummary", "Problem", "TableError", "import_tenants"]
