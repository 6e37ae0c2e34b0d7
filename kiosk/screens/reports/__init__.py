"""Statistics and the governors' report."""
