"""`kiosk demo`: concerns about adults at the fictional school (made-up people only).

Every route of paragraphs 14-15 appears once: allegations to the headteacher (one with the
LADO contact overdue, one due today, one closed as unsubstantiated with the whole trail),
a malicious allegation about a relative of the headteacher (to be removed), low-level
concerns to the DSL (two about the same volunteer, so the pattern view has something),
about the DSL to the headteacher, about the headteacher to the director, and about the
trust central team to the trust lead. Records are written through the services with the
clock set back, exactly as if they had been entered on those days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from kiosk.clock import use_clock, utcnow
from kiosk.rules.routing import HarmsAnswers
from kiosk.services import adults

HARM = HarmsAnswers(harmed_child=True)
RISK = HarmsAnswers(risk_of_harm=True)
NONE = HarmsAnswers()


def _at(days_ago: float, hour: int = 10) -> datetime:
    """`hour` o'clock `days_ago` days back, never later than a few minutes ago (the demo is
    seeded at any hour: "today at 08:00" is still to come at 07:00)."""
    now = utcnow()
    base = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return min(base - timedelta(days=days_ago), now - timedelta(minutes=5))


def seed(ctx) -> None:
    from kiosk.demo.profile import demo_profile

    profile = demo_profile()
    u = ctx.users
    teacher, pastoral, head, deputy = u["teacher"], u["pastoral"], u["head"], u["deputy"]
    volunteer, dsl, director = u["volunteer"], u["dsl"], u["director"]

    def raise_at(when: datetime, actor, **kw):
        with use_clock(lambda: when):
            return adults.raise_concern(actor, profile, **kw)

    def then(when: datetime, fn, *args, **kw):
        with use_clock(lambda: when):
            return fn(*args, **kw)

    # A closed allegation with the whole trail: three weeks ago.
    closed = raise_at(_at(21), pastoral, subject_name="Mr Gary Fenwick",
                      subject_role="Midday supervisor", subject_dob=date(1971, 3, 14),
                      what_happened="A pupil said Mr Fenwick grabbed his arm hard enough to "
                                    "leave a mark when stopping him running in the lunch hall.",
                      happened_when="Lunchtime, three weeks ago", context="Busy lunch hall; two "
                      "other pupils saw it.", answers=HARM)
    then(_at(21, 14), adults.record_lado_contact, head, closed.id, contacted_at=_at(21, 14),
         details="Rang the LADO duty line; reference LADO-0412.")
    then(_at(20, 11), adults.record_lado_advice, head, closed.id,
         advice="Gather accounts from the witnesses; no police involvement at this stage.",
         rationale="Followed the advice; accounts taken by the deputy head the same day.")
    then(_at(19, 9), adults.record_action, head, closed.id, action="suspension_considered",
         decision="Not suspended; moved to playground duty with another adult present.",
         rationale="Risk to pupils managed by supervision while the facts are established.")
    then(_at(14, 15), adults.record_action, head, closed.id, action="strategy_discussion",
         decision="Strategy discussion with the LADO.",
         rationale="Witness accounts differed from the pupil's; the LADO asked for a meeting.")
    then(_at(10, 16), adults.record_outcome, head, closed.id, outcome="unsubstantiated",
         rationale="Witnesses saw him take the pupil's arm but not force; there is insufficient "
                   "evidence either to prove or disprove the allegation.")

    # LADO contact overdue: raised eight days ago, nothing recorded since.
    raise_at(_at(8), teacher, subject_user_id=volunteer.user_id,
             what_happened="Gave a Year 6 pupil his personal phone number and asked her to keep "
                           "their chats secret.",
             happened_when="Thursday, reading session", answers=RISK)

    # Raised this morning: LADO contact due by the end of the next working day.
    raise_at(_at(0, 8), deputy, subject_name="Mrs Dawn Pickering", subject_role="Teaching assistant",
             what_happened="A pupil disclosed that Mrs Pickering smacked him in the toilets.",
             happened_when="Yesterday afternoon", answers=HARM)

    # Two low-level concerns about the same volunteer (pattern), one recorded by the DSL.
    ll1 = raise_at(_at(30), pastoral, subject_user_id=volunteer.user_id,
                   what_happened="Seen hugging pupils at the gate and calling one 'my favourite'.",
                   happened_when="Home time", context="Parents were present; pupils seemed happy.",
                   answers=NONE)
    then(_at(29), adults.record_low_level, dsl, ll1.id,
         action_taken="Spoke to Mr Reeve about the code of conduct on physical contact and "
                      "favouritism; he accepted it.",
         rationale="Behaviour seemed thoughtless rather than deliberate; noted for patterns.")
    raise_at(_at(12), teacher, subject_user_id=volunteer.user_id,
             what_happened="Took a photograph of the reading group on his own phone.",
             happened_when="Reading session", answers=NONE)

    # About the DSL: to the headteacher, shared with the director of education.
    raise_at(_at(6), deputy, subject_user_id=dsl.user_id,
             what_happened="Discussed a pupil's family situation in the staffroom with visitors present.",
             happened_when="Monday break time", answers=NONE)

    # About the headteacher: to the director of education.
    raise_at(_at(4), teacher, subject_user_id=head.user_id,
             what_happened="Shouted at a Year 5 class in a way pupils found frightening.",
             happened_when="Friday assembly", answers=NONE)

    # About a relative of the headteacher: to the director; found malicious, to be removed.
    mal = raise_at(_at(40), pastoral, subject_name="Mr Tom Marsh", subject_role="Caretaker",
                   is_head_relative=True,
                   what_happened="An anonymous note said the caretaker watches pupils changing.",
                   happened_when="Unknown", answers=RISK)
    then(_at(40, 15), adults.record_lado_contact, director, mal.id, contacted_at=_at(40, 15),
         details="Director rang the LADO the same afternoon.")
    then(_at(33, 12), adults.record_outcome, director, mal.id, outcome="malicious",
         rationale="The writer admitted inventing it after a dispute; the LADO agreed.")

    # About the trust central team: to the trust lead on safeguarding.
    raise_at(_at(15), head, subject_name="Mr Ray Dunmore", subject_role="Trust estates manager",
             is_trust_central=True,
             what_happened="Walked into the Year 4 changing area during PE without knocking.",
             happened_when="Site visit", answers=NONE)
    ctx.notes.append("Concerns about adults: 9 (one LADO contact overdue).")
