"""Whistleblowing and escalation (paragraphs 14, 17, 18): F2 from anywhere once signed in.

The routes come from kiosk.rules; nothing here is typed by a user. Looking at this screen
is deliberately not audited: a person checking how to blow the whistle must not leave a
trace that the people they may be raising it about can read.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kiosk.rules.routing import escalation_route
from kiosk.rules.steps import next_steps
from kiosk.screens.base import KioskScreen
from kiosk.widgets.rules_pane import render_guidance


class WhistleblowingScreen(KioskScreen):
    SCREEN_TITLE = "Whistleblowing and escalation"
    AUTO_FOCUS = "#whistleblowing"

    def compose_body(self):
        profile = self.app.profile
        nspcc = profile.nspcc
        escalation = escalation_route(profile)
        lead = escalation.contacts[0] if escalation.contacts else None
        with VerticalScroll(id="whistleblowing", can_focus=True):
            yield Static(Content.styled(
                "Looking at this screen is not recorded. Nothing you read here is sent to "
                "anyone.", "italic"), classes="contact")
            yield Static(Content.assemble(
                ("NSPCC Whistleblowing Advice Line (paragraph 18)\n", "bold"),
                "For those who do not feel able to raise concerns about child protection "
                "failures internally.\n",
                ("Phone: ", "dim"), nspcc.phone or "", "  ", (nspcc.hours or "", "dim"), "\n",
                ("Email: ", "dim"), nspcc.email or "",
            ), classes="contact", id="nspcc")
            if lead is not None:
                parts = [p for p in (lead.phone, lead.email) if p]
                yield Static(Content.assemble(
                    ("If a concern was not responded to appropriately (paragraph 14)\n", "bold"),
                    escalation.note, "\n",
                    (lead.name, "bold"), (" | " + " | ".join(parts)) if parts else "",
                ), classes="contact", id="escalation")
            yield Static(render_guidance(next_steps(profile, "whistleblowing")),
                         classes="contact", id="routes")
            yield Static(render_guidance(next_steps(profile, "not_responded")),
                         classes="contact", id="not-responded")
            yield Static(Content("A concern about an adult's conduct with children: use "
                                 "'Concern about an adult' on the home screen (paragraphs 14-16). "
                                 "A child in immediate danger: call 999."), classes="contact")
