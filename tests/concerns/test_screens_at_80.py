"""What the screens got wrong at 80x24 (issue 12): widths, double audit events, cut text."""

from __future__ import annotations

from tests.console.helpers import console_app, login, screen_text, settle, wait_until

SIZE = (80, 24)


async def test_chronology_columns_fit_their_content_as_soon_as_the_rows_arrive(
        settings, school, record, monkeypatch):
    from textual.widgets import DataTable

    from kiosk.screens.pupils.chronology import ChronologyScreen
    from kiosk.services import chronology

    record()
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dsl")
        # Hold the worker back, so the rows arrive after the table's first layout.
        monkeypatch.setattr(ChronologyScreen, "action_reload", lambda self: None)
        app.push_screen(ChronologyScreen(school.pupils["amara"].id))
        await wait_until(pilot, lambda: isinstance(app.screen, ChronologyScreen))
        screen = app.screen
        table = screen.query_one(DataTable)
        # The worker's rows land whenever they land: no idle may pass before the widths hold
        # (an auto-width column kept its label's width until measured: "02/1  Stat").
        screen._show_entries(chronology.chronology(school.users["dsl"], school.pupils["amara"].id))
        when, what, entry = table.ordered_columns
        assert when.get_render_width(table) >= len("26/11/2026 09:15") + 2
        assert what.get_render_width(table) >= len("Concern") + 2
        assert entry.get_render_width(table) >= len("Concern C-00001: Physical abuse") + 2
        await settle(pilot)
        assert "26/11/2026" in screen_text(app)


async def test_opening_the_inbox_is_audited_once(settings, school, record):
    from kiosk.models import AuditEvent
    from kiosk.screens.concerns.inbox import InboxScreen

    record()
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dsl")
        before = AuditEvent.select().where(AuditEvent.action == "concern.inbox").count()
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, InboxScreen)
                         and app.screen.query_one("#inbox").row_count == 1)
        await settle(pilot)
        assert AuditEvent.select().where(AuditEvent.action == "concern.inbox").count() == before + 1
        # Coming back to it from a concern reads it again (it may have changed): once more.
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert AuditEvent.select().where(AuditEvent.action == "concern.inbox").count() == before + 2


async def _enter_after_typing(pilot, text: str) -> None:
    from tests.console.helpers import type_into

    await type_into(pilot, "#pupil-search", text)
    await pilot.press("enter")
    await settle(pilot)


async def test_enter_in_a_pupil_search_does_the_same_on_the_concern_form_and_in_early_help(
        settings, school):
    """One match: Enter chooses it. Several: Enter moves into the list; Enter again chooses
    the highlighted one. The same on the concern form and in an early-help dialog."""
    from kiosk.screens.concerns.form import RecordConcernScreen
    from kiosk.widgets.pupil_search import PupilSearchDialog
    from kiosk.services import pupils

    # Two pupils whose names start "Ch": Chloe Carver and Charlie Chalk.
    pupils.add_pupil(school.users["dsl"], first_name="Charlie", last_name="Chalk",
                     date_of_birth=school.pupils["chloe"].date_of_birth, year_group=5,
                     form_group="5M")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dsl")
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordConcernScreen)
        await _enter_after_typing(pilot, "ch")
        assert form._rows() == []  # several: nothing chosen yet
        assert app.focused.id == "pupil-results"
        await pilot.press("enter")
        await settle(pilot)
        assert [r.pupil_name for r in form._rows()] == ["Chloe Carver"]
        await _enter_after_typing(pilot, "amara")
        assert [r.pupil_name for r in form._rows()] == ["Chloe Carver", "Amara Abbott"]

        chosen = []
        app.push_screen(PupilSearchDialog(), chosen.append)
        await settle(pilot)
        await _enter_after_typing(pilot, "ch")
        assert chosen == [] and app.focused.id == "pupil-results"
        await pilot.press("enter")
        await settle(pilot)
        assert [p.name for p in chosen] == ["Chloe Carver"]
        app.push_screen(PupilSearchDialog(), chosen.append)
        await settle(pilot)
        await _enter_after_typing(pilot, "amara")
        assert [p.name for p in chosen] == ["Chloe Carver", "Amara Abbott"]


async def test_enter_typed_before_the_search_answers_acts_on_what_was_typed(settings, school, monkeypatch):
    """A quick typist (or SSH latency, or a slow database): Enter arrives before the search for
    the last letters has answered. It must act on the answer to what was typed, never on the
    list for fewer letters, and never be lost."""
    import time

    from kiosk.screens.concerns.form import RecordConcernScreen
    from kiosk.services import pupils
    from kiosk.widgets.pupil_search import PupilSearchDialog

    real_search = pupils.search

    def slow_search(*args, **kwargs):
        time.sleep(0.3)
        return real_search(*args, **kwargs)

    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dsl")
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RecordConcernScreen))
        form = app.screen
        monkeypatch.setattr(pupils, "search", slow_search)
        form.query_one("#pupil-search").focus()
        await pilot.press(*"amara", "enter")  # the search for "amara" is still running
        await wait_until(pilot, lambda: [r.pupil_name for r in form._rows()] == ["Amara Abbott"])

        chosen = []
        app.push_screen(PupilSearchDialog(), chosen.append)
        await wait_until(pilot, lambda: isinstance(app.screen, PupilSearchDialog))
        app.screen.query_one("#pupil-search").focus()
        await pilot.press(*"chloe", "enter")
        await wait_until(pilot, lambda: [p.name for p in chosen] == ["Chloe Carver"])


async def test_tick_boxes_show_their_state_without_colour_in_16_colours(settings, school):
    """ansi-dark (SSH without COLORTERM): ticked and unticked must differ in the characters."""
    from kiosk.screens.concerns.form import RecordConcernScreen

    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "ansi-dark"
        await login(pilot, "teacher")
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordConcernScreen)
        urgent = form.query_one("#urgent")
        cats = form.query_one("#categories")

        def box_text() -> str:
            urgent.scroll_visible(animate=False, immediate=True)
            return str(urgent.render())

        assert box_text().startswith("▐ ▌")
        urgent.value = True
        await settle(pilot)
        assert box_text().startswith("▐X▌")
        # The category list: unticked rows show an empty box, ticked ones an X.
        first = cats.render_line(0).text
        assert first.startswith("▐ ▌"), first
        cats.select(cats.get_option_at_index(0).value)
        await settle(pilot)
        assert cats.render_line(0).text.startswith("▐X▌")
        assert cats.render_line(1).text.startswith("▐ ▌")


async def test_a_form_at_80_columns_stacks_its_rules_pane_before_any_breakpoint_class(
        settings, school):
    """The breakpoint class comes with the screen's first resize message. In tmux at 80x24 a
    form sometimes drew before it, side by side, its labels cut ("What you saw or heard:
    facts, when and"): stacked must not depend on that message."""
    from kiosk.screens.concerns.form import RecordConcernScreen
    from kiosk.widgets.rules_pane import RulesPane

    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "teacher")
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordConcernScreen)
        for state in ("as the message left it", "before the message"):
            if state == "before the message":
                form.remove_class("-narrow", "-wide")
                await settle(pilot)
            pane, body = form.query_one(RulesPane), form.query_one("#form-body")
            assert pane.region.y > body.region.y, state  # below the form, not beside it
            assert body.region.width >= 78, state


def test_no_screen_uses_a_tick_box_that_shows_its_state_by_colour_alone():
    """Textual's Checkbox and SelectionList draw an X ticked or not (colour tells them apart),
    so every tick box in the console is a kiosk.widgets.ticks one. The roles dialog and the
    roll import's "Full roll" box were added after the others were changed."""
    import ast
    from pathlib import Path

    import kiosk

    plain = {"Checkbox", "SelectionList", "RadioButton", "RadioSet"}
    root = Path(kiosk.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == root / "widgets" / "ticks.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func.value if isinstance(node.func, ast.Subscript) else node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name in plain:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    assert found == []


async def test_the_roles_dialog_ticks_only_the_roles_held_in_16_colours(settings, school):
    from kiosk.screens.admin.account_dialogs import AccountDialog

    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "ansi-dark"
        await login(pilot, "teacher")
        app.push_screen(AccountDialog(lambda values: None, username="sam", roles=("admin",)))
        await settle(pilot)
        roles = app.screen.query_one("#roles")
        lines = [roles.render_line(y).text for y in range(roles.option_count)]
        ticked = [line for line in lines if line.startswith("▐X▌")]
        assert len(ticked) == 1 and "IT administrator" in ticked[0], lines
        assert all(line.startswith("▐ ▌") for line in lines if line not in ticked), lines
