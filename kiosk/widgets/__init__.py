"""Widgets shared by the console's screens (header line, clock, rules pane)."""
