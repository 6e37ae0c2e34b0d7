"""Helpers for the early-help journeys (shared by their test modules)."""

from __future__ import annotations

from tests.console.helpers import settle


async def open_early_help(pilot):
    """From the home screen, open the early-help hub."""
    from kiosk.screens.early_help.hub import EarlyHelpScreen

    await pilot.press("e")
    await settle(pilot)
    assert isinstance(pilot.app.screen, EarlyHelpScreen)
