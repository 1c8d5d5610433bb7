"""People: accounts, roles, logging in, the profile and the user import."""
