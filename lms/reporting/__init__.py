"""Coordinators' reports: the dashboard, the people table, a person's drill-down."""
