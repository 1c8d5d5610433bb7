"""Assignment rules: a course assigned to an organisation, a department or a person."""
