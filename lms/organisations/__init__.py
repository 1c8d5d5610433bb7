"""Organisations (municipalities, agencies) and their departments (counters)."""
