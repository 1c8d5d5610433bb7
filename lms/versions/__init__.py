"""Course versions for trainers: what an import changes and for whom, the version history."""
