"""adults models (filled in by its issue)."""
