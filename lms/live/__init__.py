"""Live sessions: dates of webinars and in-person sessions, registrations, attendance."""
