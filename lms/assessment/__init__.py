"""Tests: drawing questions from banks, attempts with a frozen snapshot, scoring, results,
time limits with accommodations, and the trainers' item statistics."""
