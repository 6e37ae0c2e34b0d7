"""Internal referrals are answered: enrolling closes the pupil's pending referral (accepted,
the enrolment linked); declining asks why and tells the referrer (issue 18)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk.errors import PermissionDenied, ValidationError
from kiosk.services import alerts
from kiosk.services import early_help as eh
from kiosk.services.home import home_counts

TODAY = date(2026, 11, 26)


def test_enrolling_closes_the_pending_referral_and_links_it(make_user, pastoral, offers, pupils, fake_clock):
    teacher = make_user("t1", "staff", full_name="Priya Lawson")
    ref = eh.refer_internally(teacher, pupils[2], "pastoral_one_to_one", "Withdrawn since half term")
    other = eh.refer_internally(teacher, pupils[3], "pastoral_one_to_one", "Another pupil")
    e = eh.enrol(pastoral, pupils[2], "pastoral_one_to_one", TODAY, "Rebuild confidence",
                 TODAY + timedelta(days=28))
    assert e.referral_id == ref.id
    done = eh.get_referral(pastoral, ref.id)
    assert done.decision == "accepted" and done.enrolment_id == e.id
    assert done.picked_up_by == "Jan Okafor"
    assert [r.id for r in eh.list_referrals(pastoral, pending_only=True)] == [other.id]
    # The referrer sees it answered.
    mine = {r.id: r for r in eh.my_referrals(teacher)}
    assert mine[ref.id].decision == "accepted" and mine[other.id].decision == "pending"


def test_failed_enrolment_leaves_the_referral_pending(make_user, pastoral, offers, pupils, fake_clock):
    teacher = make_user("t1", "staff", full_name="Priya Lawson")
    ref = eh.refer_internally(teacher, pupils[2], "pastoral_one_to_one", "Withdrawn")
    with pytest.raises(ValidationError):
        eh.enrol(pastoral, pupils[2], "pastoral_one_to_one", TODAY, "", TODAY + timedelta(days=28))
    assert eh.get_referral(pastoral, ref.id).decision == "pending"


def test_declining_asks_why_and_tells_the_referrer(make_user, pastoral, offers, pupils, fake_clock):
    teacher = make_user("t1", "staff", full_name="Priya Lawson")
    ref = eh.refer_internally(teacher, pupils[0], "targeted_group_work", "Friendship issues")
    with pytest.raises(ValidationError, match="reason"):
        eh.decide_referral(pastoral, ref.id, "declined", "")
    assert alerts.for_user(teacher) == []
    eh.decide_referral(pastoral, ref.id, "declined", "Needs met by the lunch club")
    [alert] = alerts.for_user(teacher)
    assert "not taken up" in alert.label and "Abbott" not in alert.label  # no pupil named
    counts = {c.label: c for c in home_counts(teacher)}
    assert counts["Your referrals not taken up (reason under h)"].value == 1
    [mine] = eh.my_referrals(teacher)
    assert mine.decision == "declined" and mine.decision_reason == "Needs met by the lunch club"
    assert alerts.for_user(teacher, unread_only=True) == []
    assert "Your referrals not taken up (reason under h)" not in {c.label for c in home_counts(teacher)}


def test_my_referrals_are_only_mine(make_user, pastoral, offers, pupils, admin):
    a = make_user("t1", "staff", full_name="Priya Lawson")
    b = make_user("t2", "staff", full_name="Tom Reeve")
    eh.refer_internally(a, pupils[0], "targeted_group_work", "A's")
    assert eh.my_referrals(b) == []
    gov = make_user("gov", "governor")
    from kiosk.capabilities import Cap

    if not gov.can(Cap.EARLY_HELP_REFER):
        with pytest.raises(PermissionDenied):
            eh.my_referrals(gov)


async def test_referrer_sees_on_home_and_reads_why_at_80x24(settings, make_user, pastoral, offers, pupils,
                                                            fake_clock):
    from tests.console.helpers import console_app, login, screen_text, settle

    teacher = make_user("t1", "staff", full_name="Priya Lawson")
    ref = eh.refer_internally(teacher, pupils[0], "targeted_group_work", "Friendship issues")
    eh.decide_referral(pastoral, ref.id, "declined", "Needs met by the lunch club")
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "t1")
        assert "Your referrals not taken up" in screen_text(app)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("escape")  # the pupil finder opens first
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        text = screen_text(app)
        assert "Your referrals" in text and "not taken up" in text
        assert "Why: Needs met by the lunch club" in text
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        assert "Your referrals not taken up" not in screen_text(app)


def test_plus_six_weeks_is_six_weeks_of_school(pastoral, offers, pupils, fake_clock):
    from kiosk.rules.profile import load_profile

    profile = load_profile(None)  # autumn half term 26-30 Oct 2026, Christmas 19 Dec - 4 Jan
    fake_clock.now = fake_clock.now.replace(year=2026, month=9, day=30)
    e = eh.enrol(pastoral, pupils[0], "pastoral_one_to_one", "today", "Aims", "+6w", profile=profile)
    assert e.review_on == date(2026, 11, 18)  # not 11 Nov: half term does not count
    fake_clock.now = fake_clock.now.replace(month=12, day=2)
    r = eh.record_review(pastoral, e.id, "Going well", "today", "+6w", profile=profile)
    assert r.next_review_on == date(2027, 1, 28)


async def test_enrolling_from_the_console_closes_the_referral(settings, make_user, pastoral, offers, pupils,
                                                              fake_clock):
    from textual.widgets import OptionList

    from tests.console.helpers import console_app, login, settle, type_into, wait_until

    teacher = make_user("t1", "staff", full_name="Priya Lawson")
    ref = eh.refer_internally(teacher, pupils[0], "pastoral_one_to_one", "Withdrawn")
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "pat")
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await type_into(pilot, "#pupil-search", "amara")
        await wait_until(pilot, lambda: bool(app.screen.query("#pupil-picker OptionList"))
                         and app.screen.query_one("#pupil-picker OptionList", OptionList).option_count > 0)
        await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(app.screen.query("#f-offer")))
        offers_list = app.screen.query_one("#f-offer", OptionList)
        offers_list.highlighted = next(i for i in range(offers_list.option_count)
                                       if "1:1" in str(offers_list.get_option_at_index(i).prompt))
        aims = app.screen.query_one("#f-aims")
        aims.focus()
        aims.insert("Rebuild confidence")
        await pilot.press("ctrl+s")
        await settle(pilot)
    done = eh.get_referral(pastoral, ref.id)
    assert done.decision == "accepted" and done.enrolment_id is not None
