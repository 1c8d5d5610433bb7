"""``lms preview``: a trainer's live preview of course files, served from a throw-away database."""
