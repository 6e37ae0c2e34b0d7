"""The rules pane: next steps and contacts for what the user is doing, from kiosk.rules.

It renders a kiosk.rules Guidance (steps with their contact and paragraph, then the
contacts); with no guidance it shows who to tell (DSL, deputies, local authority). All
text goes through Content, never markup: profile text is trusted, but kept literal anyway.
"""

from __future__ import annotations

from textual.content import Content
from textual.containers import VerticalScroll
from textual.widgets import Static

CONFIRM_NOTE = "Published number, not yet confirmed by the school: check it before relying on it."


def paragraph_ref(paragraph: str) -> str:
    """" (para 11a)" for the school's procedures, " (KCSIE)" for national guidance."""
    if not paragraph:
        return ""
    if paragraph[:1].isdigit():
        return f" (para {paragraph})"
    return f" ({paragraph})"


def _contact_lines(contact) -> list[Content]:
    parts = [contact.name]
    for value in (getattr(contact, "phone", None), getattr(contact, "email", None),
                  getattr(contact, "url", None)):
        if value:
            parts.append(value)
    lines = [Content.assemble(("• ", "bold"), " | ".join(parts))]
    note = getattr(contact, "note", None)
    if note:
        lines.append(Content.assemble(("  ", ""), (note, "italic")))
    if getattr(contact, "placeholder", False):
        lines.append(Content.assemble(("  (example entry: the school must replace it)", "italic")))
    if getattr(contact, "to_confirm", False):
        lines.append(Content.assemble((f"  ({CONFIRM_NOTE})", "italic")))
    return lines


def render_guidance(guidance) -> Content:
    lines: list[Content] = [Content.styled(guidance.title or "Next steps", "bold")]
    for i, step in enumerate(guidance.steps, 1):
        ref = paragraph_ref(step.paragraph)
        lines.append(Content.assemble(f"{i}. ", step.text, (ref, "dim")))
        if step.contact is not None:
            parts = [step.contact.name] + [v for v in (step.contact.phone, step.contact.email) if v]
            lines.append(Content.assemble("   → ", (" | ".join(parts), "bold")))
    if guidance.contacts:
        lines.append(Content(""))
        lines.append(Content.styled("Contacts", "bold"))
        for contact in guidance.contacts:
            lines.extend(_contact_lines(contact))
    return Content("\n").join(lines)


def render_default(profile) -> Content:
    """With no situation yet: who to tell, and that anyone may refer (paragraphs 11-12)."""
    from kiosk.rules import contacts as rc

    lines = [Content.styled("Who to tell", "bold"),
             Content("Any concern about a child: tell the DSL at once; if they are not "
                     "available, a deputy DSL or the headteacher (para 11).")]
    people = [rc.person_contact("dsl", profile.dsl)]
    people += [rc.person_contact("deputy_dsl", p) for p in profile.deputy_dsls]
    people.append(rc.person_contact("headteacher", profile.headteacher))
    for contact in people:
        lines.extend(_contact_lines(contact))
    lines.append(Content(""))
    lines.append(Content("Anyone may refer directly to the local authority (para 12):"))
    for contact in rc.referral_contacts(profile):
        lines.extend(_contact_lines(contact))
    lines.append(Content(""))
    lines.append(Content("A child in immediate danger: call 999."))
    return Content("\n").join(lines)


class RulesPane(VerticalScroll):
    """Side panel beside forms; toggled by the form screen's key (F3)."""

    can_focus = False

    def compose(self):
        yield Static(Content(""), id="rules-text")

    def show_guidance(self, guidance, profile=None) -> None:
        if guidance is not None:
            content = render_guidance(guidance)
        elif profile is not None:
            content = render_default(profile)
        else:
            content = Content("")
        self.query_one("#rules-text", Static).update(content)
