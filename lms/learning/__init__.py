"""Learning: what learners do in courses (progress, completion)."""
