"""Contacts: every number and address in the school profile (paragraph 13, 18, 20-21),
plus 999 and 101. F1 from anywhere once signed in."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kiosk.screens.base import KioskScreen
from kiosk.widgets.rules_pane import CONFIRM_NOTE


def contact_block(contact) -> Content:
    lines = [Content.styled(contact.name, "bold")]
    if contact.note:
        lines.append(Content.styled(contact.note, "italic"))
    for label, value in (("Phone", contact.phone), ("Email", contact.email), ("Web", contact.url)):
        if value:
            lines.append(Content.assemble((f"{label}: ", "dim"), value))
    if contact.placeholder:
        lines.append(Content.styled("Example entry: the school must replace it in the profile.", "italic"))
    if getattr(contact, "to_confirm", False):
        lines.append(Content.styled(CONFIRM_NOTE, "italic"))
    return Content("\n").join(lines)


class ContactsScreen(KioskScreen):
    SCREEN_TITLE = "Contacts"
    AUTO_FOCUS = "#contacts"

    def compose_body(self):
        from kiosk.rules import contacts as rc

        profile = self.app.profile
        with VerticalScroll(id="contacts", can_focus=True):
            yield Static(Content.styled("A child in immediate danger: call 999.", "bold"), classes="contact")
            for contact in rc.all_contacts(profile):
                yield Static(contact_block(contact), classes="contact")
            for contact in (rc.POLICE_EMERGENCY, rc.POLICE_NON_EMERGENCY):
                yield Static(contact_block(contact), classes="contact")
