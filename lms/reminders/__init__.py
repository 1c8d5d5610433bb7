"""Reminders: to people who fall behind, by their coordinator or by the daily job."""
