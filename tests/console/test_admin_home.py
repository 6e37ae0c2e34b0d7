"""The administrator's day at 80x24 (issue 18): every key their home shows opens something,
and Home/End in a table go to its first and last row."""

from __future__ import annotations

from textual.widgets import DataTable

from kiosk.screens.session.home import HomeScreen
from kiosk.screens.session.menu import entries_for
from tests.console.helpers import console_app, login, settle

SIZE = (80, 24)


async def test_every_key_on_the_administrators_home_does_something(settings, make_user):
    make_user("itadmin", "admin", full_name="Sam Patel")
    make_user("head", "headteacher", full_name="Dr Helen Marsh")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "itadmin")
        home = app.screen
        assert isinstance(home, HomeScreen)
        # The footer's keys and the menu's; hide, log out and exit leave the session (their
        # own tests cover them).
        shown = {k for k, ab in app.active_bindings.items() if ab.binding.show}
        leave = {"f12", "ctrl+q", "x"}
        keys = [e.key for e in entries_for(app.actor)] + ["k"]
        assert "u" in keys and "y" in keys
        assert shown - leave <= set(keys) | {"f1", "f2"}, shown
        for key in keys + sorted(shown - leave - set(keys)):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is not home, f"{key!r} on the administrator's home did nothing"
            while app.screen is not home:
                await pilot.press("escape")
                await settle(pilot)
                if len(app.screen_stack) > 1 and app.screen.__class__.__name__ == "ConfirmDialog":
                    await pilot.press("y")
                    await settle(pilot)


async def test_end_and_home_in_a_table_go_to_the_last_and_first_row(settings, make_user):
    make_user("itadmin", "admin", full_name="Sam Patel")
    for i in range(30):  # more accounts than fit on the screen
        make_user(f"user{i:02d}", "staff", full_name=f"Person {i:02d}")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "itadmin")
        await pilot.press("u")
        await settle(pilot)
        table = app.screen.query_one("#accounts", DataTable)
        assert app.focused is table and table.row_count == 31
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor_row == 30
        assert table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value == "user29"
        await pilot.press("home")
        await settle(pilot)
        assert table.cursor_row == 0


async def test_administrator_adds_an_account_gives_roles_reactivates_and_lists_keys(settings, make_user):
    import asyncssh
    from textual.widgets import SelectionList

    from kiosk.services import accounts, ssh_keys
    from tests.console.helpers import screen_text, type_into

    admin = make_user("itadmin", "admin", full_name="Sam Patel")
    head = make_user("head", "headteacher", full_name="Dr Helen Marsh")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "itadmin")
        await pilot.press("u")
        await settle(pilot)
        accounts_screen = app.screen
        await pilot.press("n")
        await settle(pilot)
        await type_into(pilot, "#username", "jokafor")
        await type_into(pilot, "#full_name", "Mrs Jan Okafor")
        roles = app.screen.query_one("#roles", SelectionList)
        roles.select("staff")
        roles.select("pastoral")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(app)
        assert "Temporary password" in text and "Waiting for the headteacher or the DSL" in text
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is accounts_screen
        info = accounts.get_user_info(admin, "jokafor")
        assert info.roles == ("staff",) and info.pending_roles == ("pastoral",)
        assert info.must_change_password
        # The headteacher confirms (the rule on main); the roles dialog shows what is pending.
        table = app.screen.query_one("#accounts", DataTable)
        table.move_cursor(row=[table.coordinate_to_cell_key((i, 0)).row_key.value
                               for i in range(table.row_count)].index("jokafor"))
        await pilot.press("r")
        await settle(pilot)
        assert "Waiting to be confirmed: pastoral" in screen_text(app)
        app.screen.query_one("#roles", SelectionList).select("governor")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is accounts_screen
        assert "governor" in accounts.get_user_info(admin, "jokafor").roles
        # Deactivated, then reactivated from the console.
        accounts.deactivate(admin, "jokafor")
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert accounts.get_user_info(admin, "jokafor").active
        # Keys listed in the console as in the CLI.
        key = asyncssh.generate_private_key("ssh-ed25519", comment="jan@laptop")
        fp = ssh_keys.add_key(admin, "jokafor",
                              key.export_public_key("openssh").decode("ascii").strip())
        await pilot.press("s")
        await settle(pilot)
        assert "SSH keys of jokafor" in screen_text(app) and "jan@laptop" in screen_text(app)
        assert fp[:20] in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is accounts_screen
    grants = accounts.role_grants(head)
    assert [(g.role) for g in grants] == ["pastoral"]
