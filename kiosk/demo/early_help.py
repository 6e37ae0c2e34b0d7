"""`kiosk demo`: a term of early help at the fictional school (made-up pupils only).

Ten weeks up to today: a weekly lunch club and drop-in, a monthly young carers drop-in,
a friendship group, 1:1 support started from internal referrals (one declined, one still
waiting), two PMHW parent workshops recorded by family, and referrals to each outside
agency at different stages, one of them waiting past its timescale. Review dates are
spread so the pastoral home screen has reviews overdue and due this week.
"""

from __future__ import annotations

from datetime import date, timedelta

from kiosk.services import early_help as eh

TERM_WEEKS = 10

LUNCH_NOTES = ("Quiet today", "Helped set up", "Left early for music", "Sat with a new friend",
               "Talked about home", "Asked to come every day")
ONE_TO_ONE_REASONS = (
    "Withdrawn since half term; not joining in at break.",
    "Angry outbursts in class, often on Mondays.",
    "Worried about a parent who is unwell.",
    "Struggling after a family bereavement.",
    "Friendship difficulties; says nobody likes them.",
    "Anxious about the move to the upper school.",
)


def _days(start: date, end: date, weekday: int) -> list[date]:
    d = start + timedelta(days=(weekday - start.weekday()) % 7)
    out = []
    while d <= end:
        out.append(d)
        d += timedelta(days=7)
    return out


def seed(ctx) -> None:
    pastoral = ctx.users["pastoral"]
    dsl = ctx.users["dsl"]
    teacher = ctx.users["teacher"]
    rng = ctx.rng
    today = ctx.today
    start = today - timedelta(weeks=TERM_WEEKS)
    eh.sync_offers(pastoral)

    pool = list(ctx.pupil_ids)
    rng.shuffle(pool)
    lunch, pool = pool[:12], pool[12:]
    drop_in, pool = pool[:8], pool[8:]
    carers, pool = pool[:5], pool[5:]
    group, pool = pool[:5], pool[5:]
    one_to_one, pool = pool[:6], pool[6:]
    agency_pupils, pool = pool[:6], pool[6:]
    walk_ins = pool[:10]

    def review_date(i: int) -> date:
        # A mix: two overdue, two due this week, the rest later.
        return [today - timedelta(days=3), today - timedelta(days=10), today, today + timedelta(days=2)][i] \
            if i < 4 else today + timedelta(days=7 * (i % 5 + 1))

    n = 0
    for offer, pupils, aims in (
        ("vulnerable_lunch_club", lunch, "A calm, safe lunchtime; build friendships."),
        ("pupil_drop_in", drop_in, "Somewhere to talk each week; notice worries early."),
        ("young_carers_drop_in", carers, "Time with other young carers; check how things are at home."),
        ("targeted_group_work", group, "Friendship group: sharing, turn-taking, repairing fall-outs."),
    ):
        for pid in pupils:
            eh.enrol(pastoral, pid, offer, start + timedelta(days=rng.randint(0, 6)), aims, review_date(n),
                     keyworker_id=pastoral.user_id)
            n += 1

    # Internal referrals for 1:1 support: most accepted and started, one declined, one waiting.
    for i, pid in enumerate(one_to_one):
        ref = eh.refer_internally(teacher, pid, "pastoral_one_to_one", ONE_TO_ONE_REASONS[i])
        if i == 4:
            eh.decide_referral(pastoral, ref.id, "declined",
                               "Needs met through the lunch club for now; the class teacher will watch and re-refer.")
        elif i < 4:
            eh.decide_referral(pastoral, ref.id, "accepted", "Weekly 1:1 sessions.", pastoral.user_id,
                               enrol_start_on=start + timedelta(days=7 + i), aims="Talk through worries; agree one small goal a week.",
                               review_on=review_date(i + 4 if i else 0))

    # Registers: lunch club Wednesdays, drop-in Tuesdays, friendship group Thursdays,
    # young carers on the first Monday of each month.
    for offer, pupils, weekday in (("vulnerable_lunch_club", lunch, 2), ("pupil_drop_in", drop_in, 1),
                                   ("targeted_group_work", group, 3)):
        for day in _days(start + timedelta(days=7), today - timedelta(days=1), weekday):
            marks = {pid: eh.Mark(rng.random() < 0.85,
                                  rng.choice(LUNCH_NOTES) if rng.random() < 0.08 else "") for pid in pupils}
            if offer != "targeted_group_work" and rng.random() < 0.4:
                marks[rng.choice(walk_ins)] = eh.Mark(True, "Walk-in")
            eh.take_register(pastoral, eh.SessionSpec(offer, day), marks)
    for day in _days(start, today - timedelta(days=1), 0):
        if day.day <= 7:
            eh.take_register(pastoral, eh.SessionSpec("young_carers_drop_in", day),
                             {pid: rng.random() < 0.8 for pid in carers})

    # Two PMHW parent workshops, recorded by family only.
    for weeks_ago, topic, families in ((7, "Anxiety management", 6), (2, "Building resilience", 4)):
        eh.take_family_register(pastoral, eh.SessionSpec("pmhw_parent_workshops", today - timedelta(weeks=weeks_ago), topic),
                                [eh.FamilyMark(f"Family {i + 1}", 1 + (i % 3 == 0)) for i in range(families)])

    # Two interventions ended with their outcomes.
    ended = eh.list_enrolments(pastoral, offer="pupil_drop_in")[:2]
    for e in ended:
        eh.end_enrolment(pastoral, e.id, today - timedelta(days=5),
                         "Worries eased; knows where the drop-in is if needed again.")

    # Outside agencies at different stages.
    a = agency_pupils
    r = eh.refer_to_agency(pastoral, a[0], "school_nursing", "Toileting accidents at school; parent asked for help.",
                           "parent", referred_on=start + timedelta(days=10))
    eh.record_agency_status(pastoral, r.id, "acknowledged", start + timedelta(days=12))
    eh.record_agency_status(pastoral, r.id, "accepted", start + timedelta(days=17), "Nurse to see child in school.")
    eh.record_agency_status(pastoral, r.id, "closed", today - timedelta(days=14),
                            "Plan agreed with parent; accidents have stopped.")
    r = eh.refer_to_agency(dsl, a[1], "childrens_services", "Early help assessment requested after repeated lateness and hunger.",
                           "parent", referred_on=today - timedelta(days=6))
    eh.refer_to_agency(pastoral, a[2], "wellbeing", "Low mood and poor sleep.", "parent_and_pupil",
                       referred_on=today - timedelta(days=9))
    r = eh.refer_to_agency(pastoral, a[3], "parenting_support", "Parent asked for help with evening routines.",
                           "parent", referred_on=start + timedelta(days=20))
    eh.record_agency_status(pastoral, r.id, "declined", start + timedelta(days=30),
                            "Family lives outside the service area; signposted to the county programme.")
    r = eh.refer_to_agency(dsl, a[4], "diversion_programme", "Seen with older youths; police community officer advised referral.",
                           "parent", referred_on=start + timedelta(days=25))
    eh.record_agency_status(dsl, r.id, "accepted", start + timedelta(days=34), "Mentor starting after half term.")
    eh.refer_to_agency(pastoral, a[5], "school_nursing", "Hearing check requested.", "parent",
                       referred_on=today - timedelta(days=2))
    ctx.notes.append("early help: a term of registers, enrolments, referrals and agency referrals")
