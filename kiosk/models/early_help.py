"""early_help models (filled in by its issue)."""
