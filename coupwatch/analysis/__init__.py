"""Analyst tools over the warehouse: the read-only SQL console, regional views, case studies."""
