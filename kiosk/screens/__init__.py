"""Textual screens. Thin: they call kiosk.services and render plain results."""
