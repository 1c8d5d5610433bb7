"""Module forums: threads and replies per forum activity, moderation, following."""
