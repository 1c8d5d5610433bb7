"""Shared plumbing used by every feature package: database, signals, i18n, security, mail."""
