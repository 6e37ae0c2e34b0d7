"""Whistleblowing and escalation (paragraphs 14, 17, 18): F2 from anywhere once signed in.

The routes come from kiosk.rules; nothing here is typed by a user. Looking at this screen
is deliberately not audited: a person checking how to blow the whistle must not leave a
trace that the people they may be raising it about can read.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kiosk.rules.contacts import ROLE_LABELS
from kiosk.rules.routing import escalation_route
from kiosk.rules.steps import next_steps
from kiosk.screens.base import KioskScreen
from kiosk.widgets.rules_pane import render_guidance


class WhistleblowingScreen(KioskScreen):
    SCREEN_TITLE = "Whistleblowing"
    AUTO_FOCUS = "#whistleblowing"
    DEFAULT_CSS = """
    #whistleblowing { height: 1fr; padding: 0 1; }
    """

    def compose_body(self):
        profile = self.app.profile
        nspcc = profile.nspcc
        escalation = escalation_route(profile)
        lead = escalation.contacts[0] if escalation.contacts else None
        with VerticalScroll(id="whistleblowing", can_focus=True):
            yield Static(Content.styled(
                "Looking at this screen is not recorded.", "italic"), classes="contact")
            yield Static(Content.assemble(
                ("NSPCC Whistleblowing Advice Line (18): ", "bold"), nspcc.phone or "", " ",
                (f"({nspcc.hours})" if nspcc.hours else "", "dim"), " or ", nspcc.email or "",
                ". For those who do not feel able to raise it inside the school.",
            ), classes="contact", id="nspcc")
            if lead is not None:
                parts = [p for p in (lead.phone, lead.email) if p]
                yield Static(Content.assemble(
                    ("Not responded to appropriately? (14) ", "bold"), "Contact ",
                    ROLE_LABELS.get(escalation.recipient, lead.name),
                    ("" if lead.name.lower() in ROLE_LABELS.get(escalation.recipient, "").lower()
                     else f", {lead.name}", "bold"),
                    (": " + ", ".join(parts)) if parts else "", ".",
                ), classes="contact", id="escalation")
            yield Static(render_guidance(next_steps(profile, "whistleblowing")),
                         classes="contact", id="routes")
            yield Static(render_guidance(next_steps(profile, "not_responded")),
                         classes="contact", id="not-responded")
            yield Static(Content("A concern about an adult's conduct with children: use "
                                 "'Concern about an adult' on the home screen (paragraphs 14-16). "
                                 "A child in immediate danger: call 999."), classes="contact")
