"""The administrator's pages: organisations, departments, people and roles."""
