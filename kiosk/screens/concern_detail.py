"""One concern in full, for those who may read it, and the DSL team's triage keys.

Opening it is audited and marks the user's alert about it read (kiosk.services.concerns).
The DSL team acknowledges, adds actions (date, who, notes, rationale), assigns an owner,
closes with summary, outcome and reasoning, reopens with a reason, appends amendments,
restricts to named people and shares with pastoral staff; each opens a small dialog that
keeps what was typed if the service refuses it. The headteacher and pastoral staff read only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from rich.text import Text
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from kiosk.widgets.footer import KioskFooter
from kiosk.capabilities import Cap
from kiosk.clock import fmt_local, today
from kiosk.errors import KioskError, NotFound, ValidationError
from kiosk.models.concerns import ACTION_KINDS, AMENDABLE_FIELDS, CLOSE_OUTCOMES
from kiosk.screens.base import KioskScreen
from kiosk.screens.concern_form import fmt_date, parse_date
from kiosk.services import casework, concerns
from kiosk.widgets.inputs import SafeInput, SafeTextArea
from kiosk.widgets.ticks import TickList


# --------------------------------------------------------------------------------------------
# A small form in a dialog
# --------------------------------------------------------------------------------------------


@dataclass
class FieldSpec:
    key: str  # passed to the submit function; also matched against ValidationError.field
    label: str
    kind: str = "input"  # input | area | select | multi | date
    options: list = field(default_factory=list)  # (label, value) for select / multi
    value: object = None
    errors: tuple[str, ...] = ()  # other ValidationError.field names that mean this field


class FieldsDialog(ModalScreen[bool]):
    """Fields, a Save button and a message line. `submit(values)` calls the service; if it
    raises, the message says why and every value stays as typed."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]
    DEFAULT_CSS = """
    FieldsDialog .dialog { height: auto; max-height: 100%; padding: 0 2; }
    FieldsDialog #dialog-fields { height: auto; max-height: 10; }
    FieldsDialog .dialog-buttons { margin-top: 0; }
    FieldsDialog SafeTextArea { height: 4; }
    FieldsDialog SelectionList { height: auto; max-height: 6; }
    FieldsDialog #dialog-message { height: auto; }
    """

    def __init__(self, title: str, fields: list[FieldSpec], submit: Callable[[dict], object],
                 save_label: str = "Save") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.submit = submit
        self.save_label = save_label

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Content.styled(self.title_text, "bold"))
            with VerticalScroll(id="dialog-fields"):
                for f in self.fields:
                    yield Label(Content(f.label))
                    wid = f"f-{f.key}"
                    if f.kind == "area":
                        yield SafeTextArea(str(f.value or ""), id=wid)
                    elif f.kind == "select":
                        known = {val for _, val in f.options}
                        yield Select([(Text(lbl), val) for lbl, val in f.options], prompt="Choose",
                                     value=f.value if f.value in known else Select.NULL, id=wid)
                    elif f.kind == "multi":
                        chosen = set(f.value or ())
                        yield TickList(*[Selection(Content(lbl), val, val in chosen)
                                              for lbl, val in f.options], id=wid)
                    else:
                        yield SafeInput(str(f.value or ""), id=wid, max_length=200)
            yield Static(Content(""), id="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content(f"{self.save_label} (Ctrl+S)"), id="save", variant="primary")
                yield Button(Content("Cancel (Esc)"), id="cancel")
        yield KioskFooter()

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#f-{self.fields[0].key}").focus()

    def values(self) -> dict:
        out = {}
        for f in self.fields:
            w = self.query_one(f"#f-{f.key}")
            if f.kind == "area":
                out[f.key] = w.text
            elif f.kind == "select":
                out[f.key] = None if w.value is Select.NULL else w.value
            elif f.kind == "multi":
                out[f.key] = list(w.selected)
            elif f.kind == "date":
                out[f.key] = parse_date(w.value, f.key)
            else:
                out[f.key] = w.value
        return out

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_save(self) -> None:
        try:
            self.submit(self.values())
        except KioskError as exc:
            message = str(exc)
            if isinstance(exc, ValidationError):
                for f in self.fields:
                    if exc.field in (f.key, f.label.lower()) or exc.field in f.errors:
                        self.query_one(f"#f-{f.key}").focus()
                        break
            self.query_one("#dialog-message", Static).update(Content.styled(f"Not saved. {message}", "bold red"))
            self.notify(f"Not saved. {message}", severity="error", markup=False)
            return
        self.dismiss(True)


# --------------------------------------------------------------------------------------------
# The concern
# --------------------------------------------------------------------------------------------


def _section(title: str, lines: list[Content]) -> Content:
    return Content("\n").join([Content.styled(title, "bold underline")] + lines)


def render_concern(d, follow_ups=()) -> Content:
    """The whole record as Content (person-typed text is never parsed as markup)."""
    flags = []
    if d.urgent:
        flags.append(("URGENT", "bold red"))
    if d.restricted:
        flags.append(("RESTRICTED to " + ", ".join(a.name for a in d.restricted_to), "bold yellow"))
    parts: list[Content] = [
        Content.assemble((f"{d.ref}  ", "bold"), (d.status_label, "bold"),
                         *[x for f in flags for x in ("  ", f)]),
        Content.assemble(f"Recorded {fmt_local(d.recorded_at)} by ", d.recorded_by,
                         (f".  Owner: {d.owner}" if d.owner else ".  No owner yet")),
    ]
    if d.restricted and d.can_restrict:
        # The Share key vanishes from the footer on a restricted concern: say why, here.
        parts.append(Content.styled(
            "Restricted: only the people named (and always the DSL) can see it, so it cannot "
            "be shared with pastoral staff and Share (s) is off. Lift the restriction (t) to "
            "share it.", "italic"))
    parts.append(Content(""))

    def kv(label: str, value: str) -> Content:
        return Content.assemble((f"{label}: ", "bold"), value)

    parts.append(kv("Pupils", "; ".join(f"{p.name} (Y{p.year_group} {p.form_group}): "
                                        f"{p.role_label.lower()}" for p in d.pupils)))
    parts.append(kv("When", f"{fmt_date(d.occurred_on)} {d.occurred_time}".strip()))
    if d.location:
        parts.append(kv("Where", d.location))
    parts.append(kv("Source", d.source_label))
    parts.append(kv("Categories", d.category_names))
    parts.append(kv("Child told what happens next", "yes" if d.child_told_next else "no"))
    parts.append(kv("DSL told in person", "yes" if d.dsl_told_in_person else "no"))
    if d.words:
        parts += [Content(""), _section("Their words", [Content(d.words)])]
    parts += [Content(""), _section("What was seen or heard", [Content(d.description)])]
    if d.why_concern:
        parts += [Content(""), _section("Why it is a concern", [Content(d.why_concern)])]
    if d.injuries:
        from kiosk.widgets.body_map import draw

        parts += [Content(""), _section("Injuries", [Content.assemble((f"{i.area_label}: ", "bold"), i.description)
                                                     for i in d.injuries]),
                  Content.from_rich_text(draw({i.body_area for i in d.injuries}))]
    if d.amendments:
        parts += [Content(""), _section("Amendments (the original above is unchanged)", [
            Content.assemble((f"{fmt_local(a.at)} {a.by}, {a.field_label}: ", "bold"), a.text,
                             ("  Reason: ", "italic"), a.reason) for a in d.amendments])]
    if d.actions:
        parts += [Content(""), _section("Actions", [
            Content.assemble((f"{fmt_date(a.action_date)} {a.kind_label}", "bold"), " by ", a.taken_by,
                             *[x for label, value in a.details for x in (f"\n  {label}: ", value)],
                             ("\n  Notes: " if a.notes else ""), a.notes, "\n  Rationale: ", a.rationale,
                             (f"\n  (recorded by {a.recorded_by}, {fmt_local(a.recorded_at)})", "dim"))
            for a in d.actions])]
    if follow_ups:
        parts += [Content(""), _section("Follow-ups", [
            Content.assemble((f"{fmt_date(f.due_on)} ", "bold"), f"{f.owner}: ",
                             "(restricted)" if f.hidden else f.what,
                             (f"  Done by {f.done_by}" if f.done else "  Open", "italic"),
                             (f": {f.done_note}" if f.done_note else ""))
            for f in follow_ups])]
    if d.events:
        lines = []
        for e in d.events:
            line = Content.assemble((f"{fmt_local(e.at)} {e.label}", "bold"), f" by {e.by}",
                                    (f": {e.subject_user}" if e.subject_user else ""))
            if e.kind == "closed":
                line = Content.assemble(line, "\n  Outcome: ", e.outcome_label, "\n  Summary: ",
                                        e.summary, "\n  Reasoning: ", e.reasoning)
            elif e.kind == "owner" and e.summary:
                line = Content.assemble(line, "\n  Handover note: ", e.summary)
            elif e.reasoning:
                line = Content.assemble(line, "\n  Reason: ", e.reasoning)
            lines.append(line)
        parts += [Content(""), _section("History", lines)]
    if d.shared_with:
        parts += [Content(""), kv("Shared with", ", ".join(a.name for a in d.shared_with))]
    return Content("\n").join(parts)


class ConcernDetailScreen(KioskScreen):
    SCREEN_TITLE = "Concern"
    AUTO_FOCUS = "#concern-scroll"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("k", "acknowledge", "Acknowledge"),
        Binding("n", "add_action", "Action"),
        Binding("f", "follow_up_done", "Follow-up done"),
        Binding("w", "owner", "Owner"),
        Binding("x", "close", "Close"),
        Binding("u", "reopen", "Reopen"),
        Binding("e", "amend", "Amend"),
        Binding("t", "restrict", "Restrict"),
        Binding("s", "share", "Share"),
        Binding("h", "chronology", "Chronology"),
    ]
    DEFAULT_CSS = """
    ConcernDetailScreen #concern-scroll { height: 1fr; padding: 0 1; }
    """

    def __init__(self, concern_id: int) -> None:
        super().__init__()
        self.concern_id = concern_id
        self.detail = None
        self.follow_ups: list = []

    def compose_body(self):
        with VerticalScroll(id="concern-scroll"):
            yield Static(Content(""), id="concern-text")

    def _leave(self) -> None:
        # Not awaited: dismissing from the screen's own handler must not await itself.
        if self.app.screen is self:
            self.dismiss()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        try:
            self.detail = concerns.get_concern(self.app.actor, self.concern_id)
        except concerns.RestrictedConcern as exc:
            self.detail = None
            self.query_one("#concern-text", Static).update(Content.assemble(
                (f"{concerns.ref_for(self.concern_id)}: Restricted\n\n", "bold"), str(exc)))
            self.refresh_bindings()
            return
        except NotFound:
            self.notify("That concern cannot be found.", severity="error", markup=False)
            self.detail = None
            self.call_later(self._leave)
            return
        except KioskError as exc:
            self.show_error(exc)
            return
        self.follow_ups = (self.call_service(casework.follow_ups_of, self.app.actor, self.concern_id)
                           or []) if self.detail.can_triage else []
        self.query_one("#concern-text", Static).update(render_concern(self.detail, self.follow_ups))
        self.refresh_bindings()

    def check_action(self, action: str, parameters) -> bool | None:
        d = self.detail
        actor = self.app.actor
        if action in ("back",):
            return True
        if d is None or actor is None:
            return False
        triage = d.can_triage
        if action == "acknowledge":
            return triage and d.status == "open"
        if action == "follow_up_done":
            return triage and any(not f.done and not f.hidden for f in self.follow_ups)
        if action in ("add_action", "owner", "close"):
            return triage and d.status != "closed"
        if action == "reopen":
            return triage and d.status == "closed"
        if action == "amend":
            return triage
        if action == "restrict":
            return d.can_restrict
        if action == "share":
            return d.can_share
        if action == "chronology":
            return actor.can(Cap.CHRONOLOGY_VIEW)
        return True

    # --- triage ---------------------------------------------------------------------

    def _dialog(self, title: str, fields: list[FieldSpec], submit, label: str = "Save") -> None:
        def done(saved: bool | None) -> None:
            if saved:
                self.reload()
                self.notify(f"{title}: saved.", markup=False)

        self.app.push_screen(FieldsDialog(title, fields, submit, label), done)

    def action_acknowledge(self) -> None:
        if self.call_service(concerns.acknowledge, self.app.actor, self.concern_id) is not None:
            self.notify("Acknowledged: the recorder now sees that the DSL team has it.", markup=False)
            self.reload()

    def action_add_action(self) -> None:
        from kiosk.screens.concern_actions import KindPicker, action_call, action_fields
        from kiosk.rules.action_kinds import BY_KEY

        actor = self.app.actor

        def chosen(kind: str | None) -> None:
            if not kind:
                return
            team = self.call_service(concerns.triage_users, actor) or []

            def submit(v):
                return concerns.add_action(actor, self.concern_id, **action_call(kind, v))

            self._dialog(f"Add an action: {BY_KEY[kind].label}",
                         action_fields(kind, today(), actor.full_name, team), submit)

        self.app.push_screen(KindPicker(), chosen)

    def action_follow_up_done(self) -> None:
        actor = self.app.actor
        open_ones = [f for f in self.follow_ups if not f.done and not f.hidden]
        if not open_ones:
            self.notify("No open follow-ups on this concern.", markup=False)
            return

        def submit(v):
            if v["follow_up"] is None:
                raise ValidationError("follow_up", "choose the follow-up that is done")
            return casework.complete_follow_up(actor, int(v["follow_up"]), v["note"])

        self._dialog("Mark a follow-up done", [
            FieldSpec("follow_up", "Which follow-up", "select",
                      [(f"{fmt_date(f.due_on)} {f.owner}: {f.what}"[:70], f.id) for f in open_ones],
                      value=open_ones[0].id),
            FieldSpec("note", "What was done (optional)", "area"),
        ], submit, "Done")

    def action_owner(self) -> None:
        actor = self.app.actor
        team = self.call_service(concerns.triage_users, actor) or []

        def submit(v):
            if v["owner"] is None:
                raise ValidationError("owner", "choose a member of the DSL team")
            return concerns.assign_owner(actor, self.concern_id, int(v["owner"]), v["note"])

        handover = self.detail is not None and self.detail.owner_id is not None
        self._dialog("Hand over to a new owner" if handover else "Assign an owner", [
            FieldSpec("owner", "Owner", "select", [(u.name, u.id) for u in team],
                      value=self.detail.owner_id if self.detail else None),
            FieldSpec("note", "Handover note: what the new owner needs to know"
                      + ("" if handover else " (optional)"), "area"),
        ], submit)

    def action_close(self) -> None:
        actor = self.app.actor

        def submit(v):
            return concerns.close_concern(actor, self.concern_id, summary=v["summary"],
                                          outcome=v["outcome"] or "", reasoning=v["reasoning"])

        self._dialog("Close the concern", [
            FieldSpec("summary", "Summary: what happened and how it was followed up", "area"),
            FieldSpec("outcome", "Outcome", "select", [(v, k) for k, v in CLOSE_OUTCOMES.items()]),
            FieldSpec("reasoning", "Reasoning for the decision (including any decision not to refer)", "area"),
        ], submit, "Close")

    def action_reopen(self) -> None:
        actor = self.app.actor
        self._dialog("Reopen the concern", [FieldSpec("reason", "Why it is reopened", "area")],
                     lambda v: concerns.reopen_concern(actor, self.concern_id, v["reason"]), "Reopen")

    def action_amend(self) -> None:
        actor = self.app.actor

        def submit(v):
            return concerns.amend(actor, self.concern_id, field=v["field"] or "", text=v["text"],
                                  reason=v["reason"])

        self._dialog("Append an amendment (the original stays)", [
            FieldSpec("field", "Which part it corrects", "select",
                      [(v, k) for k, v in AMENDABLE_FIELDS.items()]),
            FieldSpec("text", "The correction", "area", errors=("amendment",)),
            FieldSpec("reason", "Why", "area"),
        ], submit)

    def action_restrict(self) -> None:
        actor = self.app.actor
        d = self.detail
        if d is not None and d.restricted:
            self._dialog("Lift the restriction", [FieldSpec("reason", "Why", "area")],
                         lambda v: concerns.lift_restriction(actor, self.concern_id, v["reason"]), "Lift")
            return
        people = self.call_service(concerns.restriction_candidates, actor) or []
        self._dialog("Restrict to named people", [
            FieldSpec("named", "Who may see it (Space to tick; the DSL is always included)",
                      "multi",
                      [(f"{u.name} (DSL, always included)" if u.always else u.name, u.id)
                       for u in people],
                      value=[actor.user_id] + [u.id for u in people if u.always],
                      errors=("named people",)),
            FieldSpec("reason", "Why it is restricted", "area"),
        ], lambda v: concerns.restrict(actor, self.concern_id, v["named"], v["reason"]), "Restrict")

    def action_share(self) -> None:
        actor = self.app.actor
        people = self.call_service(concerns.share_candidates, actor) or []

        def submit(v):
            if v["user"] is None:
                raise ValidationError("share with", "choose a member of the pastoral staff")
            return concerns.share(actor, self.concern_id, int(v["user"]), v["reason"])

        self._dialog("Share with pastoral staff", [
            FieldSpec("user", "Share with", "select", [(u.name, u.id) for u in people],
                      errors=("share with",)),
            FieldSpec("reason", "Why (what they need it for)", "area"),
        ], submit, "Share")

    def action_chronology(self) -> None:
        d = self.detail
        if d is None or not d.pupils:
            return
        from kiosk.screens.chronology import ChronologyScreen

        subject = next((p for p in d.pupils if p.role == "subject"), d.pupils[0])
        self.app.push_screen(ChronologyScreen(subject.pupil_id))
