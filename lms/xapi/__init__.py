"""xAPI reporting: one statement builder, a transactional outbox and delivery to LRSs."""
