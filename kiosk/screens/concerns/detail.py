"""One concern in full, for those who may read it, and the DSL team's triage keys.

Opening it is audited and marks the user's alert about it read (kiosk.services.concerns).
The DSL team acknowledges, adds actions (date, who, notes, rationale), assigns an owner,
closes with summary, outcome and reasoning, reopens with a reason, appends amendments,
restricts to named people and shares with pastoral staff; each opens a small dialog that
keeps what was typed if the service refuses it. The headteacher and pastoral staff read only.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kiosk.capabilities import Cap
from kiosk.clock import fmt_local, today
from kiosk.dates import fmt_date
from kiosk.errors import NotFound, ValidationError
from kiosk.rules.vocabulary import AMENDABLE_FIELDS, CLOSE_OUTCOMES
from kiosk.screens.base import KioskScreen
from kiosk.services import casework, concerns
from kiosk.services.concerns import AmendInput, CloseInput
from kiosk.widgets.dialogs import Field, FieldsDialog

__all__ = ["ConcernDetailScreen", "render_concern"]


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
        self.run_service(self._load, self.app.actor, then=self._show, failed=self._not_shown,
                         group="concern", exclusive=True)

    def _load(self, actor):
        """In the worker: the concern and, for the DSL team, its follow-ups."""
        detail = concerns.get_concern(actor, self.concern_id)
        follow_ups = casework.follow_ups_of(actor, self.concern_id) if detail.can_triage else []
        return detail, follow_ups

    def _show(self, loaded) -> None:
        self.detail, self.follow_ups = loaded
        self.query_one("#concern-text", Static).update(render_concern(self.detail, self.follow_ups))
        self.refresh_bindings()
        self.reopen_pending()

    def _not_shown(self, exc: BaseException) -> None:
        self.detail = None
        if isinstance(exc, concerns.RestrictedConcern):
            self.query_one("#concern-text", Static).update(Content.assemble(
                (f"{concerns.ref_for(self.concern_id)}: Restricted\n\n", "bold"), str(exc)))
            self.refresh_bindings()
        elif isinstance(exc, NotFound):
            self.notify("That concern cannot be found.", severity="error", markup=False)
            self.call_later(self._leave)
        else:
            self.service_failed(exc)

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

    def restore_args(self) -> tuple:
        return (self.concern_id,)

    def _dialog(self, action: str, title: str, fields: list[Field], submit, label: str = "Save") -> None:
        def done(saved) -> None:
            if saved:
                self.reload()
                self.notify(f"{title}: saved.", markup=False)

        self.open_dialog(FieldsDialog(title, fields, submit, label), done, action)

    def action_acknowledge(self) -> None:
        def done(_result) -> None:
            self.notify("Acknowledged: the recorder now sees that the DSL team has it.", markup=False)
            self.reload()

        self.run_service(concerns.acknowledge, self.app.actor, self.concern_id, then=done)

    def action_add_action(self, kind: str = "") -> None:
        """What was done (the kinds' list), then the fields that kind asks for. The dialog's
        action names the kind, so a kept draft reopens the same dialog."""
        from kiosk.rules.action_kinds import BY_KEY
        from kiosk.screens.concerns.actions import KindPicker, action_input, action_fields

        if kind not in BY_KEY:
            self.app.push_screen(KindPicker(), lambda chosen: chosen and self.action_add_action(chosen))
            return
        actor, cid = self.app.actor, self.concern_id

        def ask(team) -> None:
            self._dialog(f"add_action('{kind}')", f"Add an action: {BY_KEY[kind].label}",
                         action_fields(kind, today(), actor.full_name, team),
                         lambda v: concerns.add_action(actor, cid, action_input(kind, v)))

        self.run_service(concerns.triage_users, actor, then=ask)

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

        self._dialog("follow_up_done", "Mark a follow-up done", [
            Field("follow_up", "Which follow-up", "select",
                  options=tuple((f.id, f"{fmt_date(f.due_on)} {f.owner}: {f.what}"[:70]) for f in open_ones),
                  value=open_ones[0].id),
            Field("note", "What was done (optional)", "text"),
        ], submit, "Done")

    def action_owner(self) -> None:
        actor, cid = self.app.actor, self.concern_id

        def submit(v):
            if v["owner"] is None:
                raise ValidationError("owner", "choose a member of the DSL team")
            return concerns.assign_owner(actor, cid, int(v["owner"]), v["note"])

        handover = self.detail is not None and self.detail.owner_id is not None

        def ask(team) -> None:
            self._dialog("owner", "Hand over to a new owner" if handover else "Assign an owner", [
                Field("owner", "Owner", "select", options=tuple((u.id, u.name) for u in team),
                      value=self.detail.owner_id if self.detail else None, aliases=("user_id",)),
                Field("note", "Handover note: what the new owner needs to know"
                      + ("" if handover else " (optional)"), "text"),
            ], submit)

        self.run_service(concerns.triage_users, actor, then=ask)

    def action_close(self) -> None:
        actor, cid = self.app.actor, self.concern_id
        self._dialog("close", "Close the concern", [
            Field("summary", "Summary: what happened and how it was followed up", "text"),
            Field("outcome", "Outcome", "select", options=tuple(CLOSE_OUTCOMES.items())),
            Field("reasoning", "Reasoning for the decision (including any decision not to refer)",
                  "text"),
        ], lambda v: concerns.close_concern(actor, cid, CloseInput(**{**v, "outcome": v["outcome"] or ""})),
            "Close")

    def action_reopen(self) -> None:
        actor, cid = self.app.actor, self.concern_id
        self._dialog("reopen", "Reopen the concern", [Field("reason", "Why it is reopened", "text")],
                     lambda v: concerns.reopen_concern(actor, cid, v["reason"]), "Reopen")

    def action_amend(self) -> None:
        actor, cid = self.app.actor, self.concern_id
        self._dialog("amend", "Append an amendment (the original stays)", [
            Field("field", "Which part it corrects", "select", options=tuple(AMENDABLE_FIELDS.items())),
            Field("text", "The correction", "text"),
            Field("reason", "Why", "text"),
        ], lambda v: concerns.amend(actor, cid, AmendInput(**{**v, "field": v["field"] or ""})))

    def action_restrict(self) -> None:
        actor, cid = self.app.actor, self.concern_id
        d = self.detail
        if d is not None and d.restricted:
            self._dialog("restrict", "Lift the restriction", [Field("reason", "Why", "text")],
                         lambda v: concerns.lift_restriction(actor, cid, v["reason"]), "Lift")
            return

        def ask(people) -> None:
            self._dialog("restrict", "Restrict to named people", [
                Field("named", "Who may see it (Space to tick; the DSL is always included)", "multi",
                      options=tuple((u.id, f"{u.name} (DSL, always included)" if u.always else u.name)
                                    for u in people),
                      value=[actor.user_id] + [u.id for u in people if u.always], aliases=("user_ids",)),
                Field("reason", "Why it is restricted", "text"),
            ], lambda v: concerns.restrict(actor, cid, v["named"], v["reason"]), "Restrict")

        self.run_service(concerns.restriction_candidates, actor, then=ask)

    def action_share(self) -> None:
        actor, cid = self.app.actor, self.concern_id

        def submit(v):
            if v["user_id"] is None:
                raise ValidationError("user_id", "choose a member of the pastoral staff", "share with")
            return concerns.share(actor, cid, int(v["user_id"]), v["reason"])

        def ask(people) -> None:
            self._dialog("share", "Share with pastoral staff", [
                Field("user_id", "Share with", "select", options=tuple((u.id, u.name) for u in people)),
                Field("reason", "Why (what they need it for)", "text"),
            ], submit, "Share")

        self.run_service(concerns.share_candidates, actor, then=ask)

    def action_chronology(self) -> None:
        d = self.detail
        if d is None or not d.pupils:
            return
        from kiosk.screens.pupils.chronology import ChronologyScreen

        subject = next((p for p in d.pupils if p.role == "subject"), d.pupils[0])
        self.app.push_screen(ChronologyScreen(subject.pupil_id))
