"""Demo concerns: a half term of fictional concerns about children, and the DSL team's work.

Some closed with reasoning (including decisions not to refer), some acknowledged with
actions, a few open and unread (two urgent), a child-on-child concern with a role for each
child, one restricted to named members of the DSL team, one shared with pastoral staff, one
reopened, one amended. Every record goes through kiosk.services.concerns under a clock set
to when it happened, so alerts, events and the audit trail read as they would in a school.
All names and events are made up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.clock import FakeClock, to_local, use_clock, utcnow


def _weekday_moment(now: datetime, days_ago: float, hour: int, minute: int) -> datetime:
    """A school-day moment (naive UTC) about `days_ago` before now, never in the future."""
    local = to_local(now) - timedelta(days=days_ago)
    while local.weekday() >= 5:
        local -= timedelta(days=1)
    local = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    moment = now - (to_local(now) - local)
    if moment > now - timedelta(minutes=5):
        moment = now - timedelta(minutes=5)
    return moment


# Each scenario: who records, days ago, (hour, minute), pupils as (index, role), source,
# categories, words, description, why, flags, injuries, then what the DSL team did.
SCENARIOS = [
    dict(by="teacher", ago=38, at=(8, 55), pupils=[(0, "subject")], source="noticed",
         categories=["neglect"], words="",
         description="Came in without a coat for the third cold morning running; ate two "
                     "breakfasts at breakfast club and asked to take toast home.",
         why="A pattern over a week: cold, hungry, the same uniform unwashed.",
         told_child=False, dsl_told=False,
         steps=[("ack", 0.1), ("action", 0.2, "monitor", "Checked uniform and attendance records",
                                "Look for a pattern before deciding next steps"),
                ("action", 2, "consultation_line", "Duty consultant: offer support, consider early help",
                 "Advice before any referral (para 20)"),
                ("close", 6, "support_in_school",
                 "Mum engaged well; uniform support and a breakfast club place given.",
                 "Needs met by school support; consultation line agreed threshold for referral "
                 "not met. Class teacher to pass on any new worry.")]),
    dict(by="teacher", ago=31, at=(10, 20), pupils=[(1, "subject")], source="child_told",
         categories=["physical_abuse"], words="I fell off my bike at Nan's on Sunday",
         description="Bruise about 4cm on his right forearm, seen when he rolled up his sleeve in art.",
         why="Bruise on the forearm; he was quiet and would not say more at first.",
         told_child=True, dsl_told=True, injuries=[("right_arm", "Bruise about 4cm, blue-purple, oval")],
         steps=[("ack", 0.05),
                ("action", 0.1, "other", "Spoke with dad at pick-up: same account, bike accident at Nan's",
                 "Account consistent with injury and with what the child said"),
                ("close", 1, "no_further_action",
                 "Injury explained consistently by child and parent; no other concerns on file.",
                 "Decision not to refer: consistent accidental explanation, no pattern, no other "
                 "indicators. Recorded so any future injury is seen alongside this one.")]),
    dict(by="pastoral", ago=26, at=(13, 40), pupils=[(2, "subject")], source="child_told",
         categories=["mental_health", "emotional_abuse"], words="I can't sleep because they shout all night",
         description="Tearful at lunch club; said she is tired all the time and worries about home.",
         why="Low mood and tiredness for two weeks; mentions shouting at home.",
         told_child=True, dsl_told=False,
         steps=[("ack", 0.2), ("owner", 0.2, "deputy"),
                ("action", 1, "early_help", "Early help assessment started with mum's agreement",
                 "Family asked for help; needs are below the threshold for children's services"),
                ("close", 12, "early_help", "Early help plan in place; weekly pastoral check-ins.",
                 "Support is through early help; DSL reviews at the plan's review date.")]),
    dict(by="teacher", ago=9, at=(9, 5), pupils=[(3, "subject")], source="parent_told",
         categories=["domestic_abuse"], words="The police came round on Saturday night, it's sorted now",
         description="Mum told me at the classroom door that police attended the home at the weekend.",
         why="Police attendance at the home; the child was in the house.",
         told_child=False, dsl_told=True,
         steps=[("ack", 0.05), ("owner", 0.05, "dsl"),
                ("action", 0.1, "consultation_line", "Consultation line: share with the allocated social worker if any",
                 "Domestic abuse incident with a child present"),
                ("action", 1, "designated_teacher", "Class teacher asked to watch for changes in behaviour",
                 "So the child is supported in class")]),
    dict(by="volunteer", ago=6, at=(11, 15), pupils=[(4, "subject")], source="other_child_told",
         categories=["online_safety", "exploitation"], urgent=True,
         words="He's got a man on the game who sends him codes and wants pictures",
         description="A friend of the pupil told me during reading that an adult on an online game "
                     "is sending him gift codes and asking for photos.",
         why="Possible grooming online: gifts and requests for images from an adult.",
         told_child=True, dsl_told=True,
         steps=[("ack", 0.02), ("owner", 0.02, "deputy"),
                ("action", 0.05, "police", "Reported to police online child abuse team; reference given",
                 "Possible online grooming of a child by an adult"),
                ("action", 0.1, "childrens_services", "Referral to Customer First; parents informed",
                 "Risk of significant harm from online exploitation")]),
    dict(by="teacher", ago=4, at=(14, 30), pupils=[(5, "subject"), (6, "alleged_harmer"), (7, "witness")],
         source="noticed", categories=["child_on_child"],
         words="He said he'd do it again tomorrow",
         description="In the changing room after PE one pupil pushed another against the pegs and "
                     "called him names; a third pupil saw it and came to tell me.",
         why="Second incident this half term between the same two pupils; the subject looked scared.",
         told_child=True, dsl_told=False, injuries=[("back", "Red mark across the shoulder blades")],
         steps=[("ack", 0.5)]),
    dict(by="teacher", ago=3, at=(9, 40), pupils=[(8, "subject")], source="noticed",
         categories=["missing_education"], words="",
         description="Absent six school days; no call from home; phone number not answering.",
         why="Unexplained absence with no contact from the family.",
         told_child=False, dsl_told=False, steps=[]),
    dict(by="volunteer", ago=0.3, at=(10, 10), pupils=[(9, "subject")], source="child_told",
         categories=["emotional_abuse", "domestic_abuse"], urgent=True,
         words="I don't want to go home tonight because of mum's boyfriend",
         description="Said this quietly during reading, then asked me not to tell anyone.",
         why="The child is frightened of going home today.",
         told_child=True, dsl_told=False, steps=[]),
    dict(by="teacher", ago=0.1, at=(12, 0), pupils=[(10, "subject")], source="noticed",
         categories=["mental_health"], words="",
         description="Has stopped eating lunch this week and wears a jumper in the heat.",
         why="Change in eating and clothing; possible self-harm or low mood.",
         told_child=False, dsl_told=False, steps=[]),
    # Restricted: the child of a member of staff.
    dict(by="teacher", ago=15, at=(15, 10), pupils=[(11, "subject")], source="child_told",
         categories=["emotional_abuse"], words="Dad says I'm stupid every day",
         description="Upset after a spelling test; said this about home.",
         why="Repeated belittling at home, in the child's words.",
         told_child=True, dsl_told=True,
         steps=[("restrict", 0.05, ["dsl", "deputy2"], "The pupil is the child of a member of staff"),
                ("ack", 0.05),
                ("action", 1, "consultation_line", "Advice taken; parent to be spoken to by the DSL",
                 "Emotional harm indicators below referral threshold at this point")]),
    # Shared with pastoral, then closed and reopened.
    dict(by="deputy", ago=20, at=(10, 0), pupils=[(12, "subject")], source="professional",
         categories=["neglect"], words="Missed three dental appointments",
         description="School nurse told me the pupil has missed three dental appointments and has toothache.",
         why="Medical neglect: untreated pain.",
         told_child=False, dsl_told=True,
         steps=[("ack", 0.1), ("share", 0.1, "pastoral", "For the pastoral 1:1 plan"),
                ("action", 1, "other", "Letter home with the nurse; appointment rebooked",
                 "Give the family the chance to act first"),
                ("close", 5, "support_in_school", "Appointment attended after school support.",
                 "Need met; no referral needed."),
                ("reopen", 14, "Nurse reports the follow-up appointment was missed too")]),
]


def seed(ctx) -> None:
    from kiosk.services import concerns, pupils

    if len(ctx.pupil_ids) < 13:
        return
    users = ctx.users
    team = {u: users[u] for u in ("dsl", "deputy", "deputy2") if u in users}
    if "dsl" not in team:
        return
    now = utcnow()
    chosen = ctx.rng.sample(ctx.pupil_ids, 13)

    for n, sc in enumerate(SCENARIOS):
        recorded = _weekday_moment(now, sc["ago"], *sc["at"])
        recorder = users.get(sc["by"]) or users["teacher"]
        clock = FakeClock(recorded)
        with use_clock(clock):
            done = concerns.record_concern(
                recorder,
                token=f"demo-concern-{n:04d}",
                pupils=[(chosen[i], role) for i, role in sc["pupils"]],
                occurred_on=to_local(recorded).date(),
                occurred_time=to_local(recorded - timedelta(minutes=20)).strftime("%H:%M")
                if to_local(recorded - timedelta(minutes=20)).date() == to_local(recorded).date() else "",
                location=ctx.rng.choice(("Classroom", "Playground", "Dining hall", "Library",
                                         "School gate", "Corridor by the hall")),
                source=sc["source"], categories=sc["categories"], words=sc["words"],
                description=sc["description"], why_concern=sc["why"],
                child_told_next=sc.get("told_child", False),
                dsl_told_in_person=sc.get("dsl_told", False),
                injuries=sc.get("injuries", ()), urgent=sc.get("urgent", False),
            )
            for step in sc["steps"]:
                when = recorded + timedelta(days=step[1])
                clock.now = min(when, now - timedelta(minutes=1))
                kind = step[0]
                dsl = team["dsl"]
                if kind == "ack":
                    concerns.get_concern(dsl, done.id)  # opening it reads the alert
                    concerns.acknowledge(dsl, done.id)
                elif kind == "owner":
                    concerns.assign_owner(dsl, done.id, users[step[2]].user_id)
                elif kind == "action":
                    # The deputy acts on the concerns they own; the DSL on the rest.
                    owner = next((st[2] for st in sc["steps"] if st[0] == "owner"), "dsl")
                    actor = team.get(owner, dsl)
                    concerns.add_action(actor, done.id, kind=step[2],
                                        action_date=to_local(clock.now).date(),
                                        taken_by=actor.full_name, notes=step[3],
                                        rationale=step[4])
                elif kind == "close":
                    concerns.close_concern(dsl, done.id, outcome=step[2], summary=step[3],
                                           reasoning=step[4])
                elif kind == "reopen":
                    concerns.reopen_concern(dsl, done.id, step[2])
                elif kind == "restrict":
                    concerns.restrict(dsl, done.id, [users[u].user_id for u in step[2]], step[3])
                elif kind == "share" and step[2] in users:
                    concerns.share(dsl, done.id, users[step[2]].user_id, step[3])
            if n == 1:
                clock.now = min(recorded + timedelta(days=2), now - timedelta(minutes=1))
                concerns.amend(team["dsl"], done.id, field="location",
                               text="Art room, not the classroom",
                               reason="The teacher corrected this when we spoke")
            if n == 4:
                clock.now = min(recorded + timedelta(days=1), now - timedelta(minutes=1))
                pupils.set_flag(team["dsl"], chosen[4], "child_in_need", True,
                                "Children's services opened a child in need plan")
    ctx.notes.append(f"{len(SCENARIOS)} concerns about children (some open, urgent, restricted)")
