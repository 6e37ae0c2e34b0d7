"""Concerns about adults working in or for the school (paragraphs 14-16)."""
