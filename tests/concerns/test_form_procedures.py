"""The concern form against the procedures (issue 12): 11a vs 11b, every ticked category."""

from __future__ import annotations

from tests.console.helpers import console_app, login, settle


def _rules(screen) -> str:
    return str(screen.query_one("#rules-text").content)


async def test_parent_question_and_every_ticked_category_reach_the_rules_pane(settings, school):
    from kiosk.screens.concerns.form import RecordConcernScreen

    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "teacher")
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordConcernScreen)
        box = screen.query_one("#parent-risk-box")
        assert not box.display  # only asked when a parent raised it
        screen.query_one("#source").value = "parent_told"
        await settle(pilot)
        assert box.display
        assert "I told the parent what happens next" in str(screen.query_one("#told-child").label)
        assert "If it is safe to talk to them, tell the parent" in _rules(screen)

        screen.query_one("#parent-risk").value = "yes"
        await settle(pilot)
        rules = _rules(screen)
        assert "Talking to the parent may increase the risk" in rules
        assert "Tell the parent" not in rules and "tell the parent" not in rules
        assert "para 11b" not in rules
        # The 11a warning comes straight after 999.
        assert rules.index("ring 999") < rules.index("may increase the risk") < rules.index("Even if")

        screen.query_one("#parent-risk").value = "no"
        await settle(pilot)
        assert "Tell the parent what you will do next" in _rules(screen)
        assert "keep your child safe" in _rules(screen)

        # Child-on-child ticked first, then online safety: both feed the pane.
        cats = screen.query_one("#categories")
        cats.select("child_on_child")
        await settle(pilot)
        cats.select("online_safety")
        await settle(pilot)
        rules = _rules(screen)
        assert "never 'banter'" in rules
        assert "nude or semi-nude image" in rules
        # The pane cites national guidance as KCSIE, never "para KCSIE".
        assert "(KCSIE)" in rules and "para KCSIE" not in rules
        assert "This form is your written record" in rules and "CPOMS" not in rules
