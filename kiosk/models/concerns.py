"""concerns models (filled in by its issue)."""
