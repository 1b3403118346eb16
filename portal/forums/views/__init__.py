"""Forum pages: questions (questions.py), moderation (moderation.py), meetings (meetings.py),
statistics and public reports (stats.py)."""
