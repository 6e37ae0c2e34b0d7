"""Session registers for the early help offer: pick the session, mark the group, save.

A register lists the pupils enrolled on the day; space marks the highlighted pupil
present or absent and moves on, `a` marks everyone present, `w` adds a walk-in by name,
`n` adds a note, ctrl+s saves the whole register in one go. Parent workshops record
families (a label and the number of adults), never pupils' details.
"""

from __future__ import annotations

import dataclasses

from datetime import date

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.clock import today
from kiosk.errors import KioskError
from kiosk.screens.base import FormScreen, KioskScreen
from kiosk.widgets.dialogs import Field, FieldsDialog, confirm_leave
from kiosk.widgets.fit import fill_table
from kiosk.widgets.pupil_search import PupilSearchDialog
from kiosk.services import early_help as eh
from kiosk.widgets.inputs import SafeInput


def _fmt(d: date) -> str:
    return d.strftime("%d/%m/%Y")


class RegisterSetupScreen(KioskScreen):
    """Which session: the date (today unless changed), an optional label, then the offer."""

    SCREEN_TITLE = "Early help: take a register"
    AUTO_FOCUS = "#offers"
    DEFAULT_CSS = """
    RegisterSetupScreen #setup { height: 1fr; padding: 0 1; }
    RegisterSetupScreen #offers { height: 1fr; }
    RegisterSetupScreen SafeInput { width: 40; }
    """
    BINDINGS = [Binding("escape", "back", "Back"), Binding("d", "focus_date", "Date")]

    def compose_body(self):
        with Vertical(id="setup"):
            yield Label(Content("Date of the session (dd/mm/yyyy, 'today' or 'yesterday')"))
            yield SafeInput(_fmt(today()), id="held-on", max_length=20)
            yield Label(Content("Label (optional: a workshop topic, or a second session that day)"))
            yield SafeInput("", id="label", max_length=100)
            yield Label(Content("Choose the offer and press enter"))
            yield OptionList(id="offers")

    def on_mount(self) -> None:
        self.run_service(eh.list_offers, self.actor, then=self._show_offers)

    def _show_offers(self, offers) -> None:
        ol = self.query_one("#offers", OptionList)
        ol.add_options([
            Option(Content.assemble(o.name, (f"  {o.kind_name}", "dim")), id=str(o.id)) for o in offers
        ])
        self.offers = {str(o.id): o for o in offers}
        if offers:
            ol.highlighted = 0

    def action_focus_date(self) -> None:
        self.query_one("#held-on").focus()

    def on_input_submitted(self, event) -> None:
        event.stop()
        self.query_one("#offers").focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        offer = self.offers.get(event.option.id or "")
        if offer is None:
            return
        try:
            held_on = eh.parse_date(self.query_one("#held-on", SafeInput).value, "session date")
        except KioskError as exc:
            self.show_error(exc)
            return
        label = self.query_one("#label", SafeInput).value.strip()
        if offer.kind in eh.FAMILY_REGISTER_KINDS:
            self.app.push_screen(FamilyRegisterScreen(offer, held_on, label))
        else:
            self.app.push_screen(RegisterScreen(offer, held_on, label))


class RegisterScreen(FormScreen):
    """Mark a group: space toggles the highlighted pupil and moves to the next.

    A FormScreen so that marks made before the screen locks are kept as the user's
    private draft and offered back at the next sign-in (no rules pane: the table needs
    the room).
    """

    SCREEN_TITLE = "Early help: register"
    form_id = "early_help_register"
    draft_title = "Early help register"
    AUTO_FOCUS = "#register"
    DEFAULT_CSS = """
    RegisterScreen #reg-title { height: auto; padding: 0 1; }
    RegisterScreen #reg-count { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("space", "toggle", "Present/absent"),
        Binding("a", "all_present", "All present"),
        Binding("w", "walk_in", "Walk-in"),
        Binding("n", "note", "Note"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, offer: eh.OfferView | None = None, held_on: date | None = None, label: str = "") -> None:
        super().__init__()
        self.offer = offer
        self.held_on = held_on
        self.label = label
        self.lines: dict[int, dict] = {}
        self.already_taken = False
        self.dirty = False

    def compose_body(self):
        yield Static(id="reg-title")
        yield DataTable(id="register", cursor_type="row", zebra_stripes=True)
        yield Static(id="reg-count")

    def action_toggle_rules(self) -> None:
        pass

    def check_action(self, action: str, parameters) -> bool | None:
        return action != "toggle_rules"  # no rules pane here: keep F3 out of the footer

    # --- the draft contract (see FormScreen) ---------------------------------------

    def has_content(self) -> bool:
        return self.dirty and self.offer is not None

    def form_state(self) -> dict:
        return {
            "offer": dataclasses.asdict(self.offer) if self.offer else None,
            "held_on": self.held_on.isoformat() if self.held_on else None,
            "label": self.label,
            "lines": [[pid, l["name"], l["form"], l["enrolled"], l["present"], l["note"]]
                      for pid, l in self.lines.items()],
        }

    def load_form_state(self, state: dict) -> None:
        # The draft carries the offer itself: restoring needs no lookup (the sheet, loaded
        # in a worker, says if the offer has been retired since).
        if not isinstance(state.get("offer"), dict):
            raise ValueError("this register's draft does not say which offer it was for")
        self.offer = eh.OfferView(**state["offer"])
        self.held_on = date.fromisoformat(state["held_on"])
        self.label = state.get("label", "")
        self.load_sheet(prefill=False)
        self.query_one("#register", DataTable).clear()
        self.lines = {}
        for pid, name, form, enrolled, present, note in state.get("lines", []):
            self.add_line(int(pid), name, form, bool(enrolled), bool(present), note)
        self.dirty = True
        self.update_count()

    def spec(self) -> eh.SessionSpec:
        return eh.SessionSpec(self.offer.id, self.held_on, self.label)

    def on_mount(self) -> None:
        table = self.query_one("#register", DataTable)
        # Fixed widths that fit 80 columns; the note column is there to be filled in later.
        table.add_column("Mark", key="mark", width=8)
        table.add_column("Pupil", key="name", width=24)
        table.add_column("Form", key="form", width=5)
        table.add_column("", key="kind", width=7)
        table.add_column("Note", key="note", width=22)
        if self.offer is not None:  # else a draft is about to be loaded
            self.load_sheet(prefill=True)

    def load_sheet(self, prefill: bool) -> None:
        title = Content.assemble((self.offer.name, "bold"), f"  {self.held_on:%A %d %B %Y}",
                                 (f"  {self.label}" if self.label else "", "italic"))
        self.query_one("#reg-title", Static).update(title)
        self.run_service(eh.register_sheet, self.actor, self.spec(),
                         then=lambda sheet: self._show_sheet(sheet, prefill), group="sheet")

    def _show_sheet(self, sheet, prefill: bool) -> None:
        self.already_taken = sheet.taken_at is not None
        if not prefill:
            return
        for line in sheet.lines:
            self.add_line(line.pupil_id, line.name, line.form_group, line.enrolled, line.present, line.note)
        if self.already_taken:
            self.notify(f"This register was taken by {sheet.taken_by}; saving again corrects it.",
                        markup=False)
        elif not sheet.lines:
            self.notify("Nobody is enrolled in this offer on that day: add walk-ins with w.", markup=False)
        self.update_count()

    def add_line(self, pupil_id, name, form, enrolled, present, note) -> None:
        self.lines[pupil_id] = dict(name=name, form=form, enrolled=enrolled, present=present, note=note)
        self.query_one("#register", DataTable).add_row(
            self.mark_cell(present), Text(name), Text(form),
            Text("" if enrolled else "walk-in", style="italic"), Text(note), key=str(pupil_id),
        )

    @staticmethod
    def mark_cell(present: bool) -> Text:
        return Text("PRESENT", style="bold green") if present else Text("absent", style="dim")

    def update_count(self) -> None:
        present = sum(1 for line in self.lines.values() if line["present"])
        text = f"{present} present, {len(self.lines) - present} absent of {len(self.lines)}"
        if self.dirty:
            text += "  (not saved: ctrl+s)"
        self.query_one("#reg-count", Static).update(Content(text))

    def current_pupil(self) -> int | None:
        table = self.query_one("#register", DataTable)
        if not self.lines or table.cursor_row is None or table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key((table.cursor_row, 0))
        return int(row_key.value)

    def set_present(self, pupil_id: int, present: bool) -> None:
        self.lines[pupil_id]["present"] = present
        self.query_one("#register", DataTable).update_cell(str(pupil_id), "mark", self.mark_cell(present))
        self.dirty = True

    def action_toggle(self) -> None:
        pid = self.current_pupil()
        if pid is None:
            return
        self.set_present(pid, not self.lines[pid]["present"])
        table = self.query_one("#register", DataTable)
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self.update_count()

    def action_all_present(self) -> None:
        for pid in self.lines:
            self.set_present(pid, True)
        self.update_count()

    def action_walk_in(self) -> None:
        def chosen(pupil) -> None:
            if pupil is None:
                return
            table = self.query_one("#register", DataTable)
            if pupil.id in self.lines:
                table.move_cursor(row=table.get_row_index(str(pupil.id)))
                self.set_present(pupil.id, True)
            else:
                self.add_line(pupil.id, pupil.name, pupil.form_group, False, True, "")
                self.dirty = True
                table.move_cursor(row=table.row_count - 1)
            self.update_count()
            table.focus()

        self.app.push_screen(PupilSearchDialog("Add a walk-in"), chosen)

    def action_note(self) -> None:
        pid = self.current_pupil()
        if pid is None:
            return
        line = self.lines[pid]

        def done(values) -> None:
            if values is None:
                return
            line["note"] = values["note"].strip()
            self.query_one("#register", DataTable).update_cell(str(pid), "note", Text(line["note"]))
            self.dirty = True
            self.update_count()

        self.app.push_screen(FieldsDialog(f"Note for {line['name']}", [
            Field("note", "Note (seen by the pastoral and DSL teams)", value=line["note"], max_length=500),
        ]), done)

    def action_save(self) -> None:
        if not self.lines:
            self.show_error("Nobody is on the register yet: add walk-ins with w.")
            return
        marks = {pid: eh.Mark(line["present"], line["note"]) for pid, line in self.lines.items()}
        if not self.already_taken:
            self.submit_form(eh.take_register, self.actor, self.spec(), marks, "", then=self._saved)
            return

        # A correction asks why, then saves like any form (busy, and the register's kept
        # draft dropped with the save), so an autosave of these marks made while the
        # reason was typed never comes back as unfinished work.
        def corrected(values) -> None:
            if values is not None:
                self.submit_form(eh.take_register, self.actor, self.spec(), marks, values["reason"],
                                 then=self._saved)

        self.app.push_screen(FieldsDialog("Correct a register taken earlier", [
            Field("reason", "Why is it being corrected?", max_length=500),
        ]), corrected)

    def _saved(self, result) -> None:
        walk = f", {result.walk_ins} walk-in{'s' if result.walk_ins != 1 else ''}" if result.walk_ins else ""
        self.notify(f"Register saved: {result.present} present, {result.absent} absent{walk}.", markup=False)
        self.dirty = False
        self.dismiss()

    leave_question = "Leave without saving this register? The marks made here will be lost."


class FamilyRegisterScreen(KioskScreen):
    """A parent workshop: families by a label the school chooses, and how many adults came."""

    SCREEN_TITLE = "Early help: workshop register"
    AUTO_FOCUS = "#families"
    DEFAULT_CSS = """
    FamilyRegisterScreen #fam-title { height: auto; padding: 0 1; }
    FamilyRegisterScreen #fam-hint { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f", "add_family", "Add family"),
        Binding("d", "remove", "Remove"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, offer: eh.OfferView, held_on: date, label: str = "") -> None:
        super().__init__()
        self.offer = offer
        self.held_on = held_on
        self.label = label
        self.families: list[eh.FamilyMark] = []
        self.already_taken = False
        self.dirty = False

    def spec(self) -> eh.SessionSpec:
        return eh.SessionSpec(self.offer.id, self.held_on, self.label)

    def compose_body(self):
        yield Static(id="fam-title")
        yield Static(Content("Record each family by a label such as 'Family 3'. Never a child's name or details."),
                     id="fam-hint")
        yield DataTable(id="families", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#fam-title", Static).update(Content.assemble(
            (self.offer.name, "bold"), f"  {self.held_on:%A %d %B %Y}", (f"  {self.label}" if self.label else "", "italic")))
        self.redraw()
        self.run_service(eh.family_register, self.actor, self.spec(), then=self._show_found)

    def _show_found(self, found) -> None:
        if found:
            sid, lines = found
            self.already_taken = sid is not None and bool(lines)
            self.families = [eh.FamilyMark(line.family, line.adults, line.note) for line in lines]
        self.redraw()

    def redraw(self) -> None:
        fill_table(self.query_one("#families", DataTable), ("Family", "Adults", "Note"),
                   [(Text(fam.family), Text(str(fam.adults)), Text(fam.note)) for fam in self.families],
                   keep=(1,))

    def action_add_family(self) -> None:
        def done(values) -> None:
            if values is None:
                return
            try:
                adults = int(values["adults"] or "1")
            except ValueError:
                self.show_error("adults: must be a number")
                return
            self.families.append(eh.FamilyMark(values["family"].strip(), adults, values["note"].strip()))
            self.dirty = True
            self.redraw()

        n = len(self.families) + 1
        self.app.push_screen(FieldsDialog("Add a family", [
            Field("family", "Family label (not a child's name)", value=f"Family {n}", max_length=100),
            Field("adults", "Adults who came", value="1", max_length=2),
            Field("note", "Note (optional)", max_length=500),
        ]), done)

    def action_remove(self) -> None:
        table = self.query_one("#families", DataTable)
        if self.families and table.cursor_row is not None and table.cursor_row < len(self.families):
            del self.families[table.cursor_row]
            self.dirty = True
            self.redraw()

    def action_save(self) -> None:
        if not self.families:
            self.show_error("Add at least one family with f.")
            return
        actor, spec, families = self.actor, self.spec(), list(self.families)
        if self.already_taken:
            self.app.push_screen(FieldsDialog("Correct a register taken earlier", [
                Field("reason", "Why is it being corrected?", max_length=500),
            ], lambda v: eh.take_family_register(actor, spec, families, v["reason"])),
                lambda result: result is not None and self._saved(result))
        else:
            self.run_service(eh.take_family_register, actor, spec, families, "", then=self._saved,
                             group="save", exclusive=True)

    def _saved(self, result) -> None:
        self.notify(f"Workshop register saved: {result.present} families.", markup=False)
        self.dirty = False
        self.dismiss()

    def action_back(self) -> None:
        if self.dirty:
            confirm_leave(self, self.dismiss, "Leave without saving this register? The families "
                          "added here will be lost.")
        else:
            super().action_back()
