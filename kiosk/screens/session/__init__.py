"""Signing in and the session: login, second factor, password, procedures sign-off, lock, home."""
