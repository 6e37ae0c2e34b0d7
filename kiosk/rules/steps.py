"""Next steps: what to do, in order and in plain words, for each situation a person is in.

The rules pane beside every concern form shows a ``Guidance``: a title, then steps, each with
whom to contact and the paragraph of the procedures it comes from. The words follow the
school's procedures (paragraphs 3, 5-21); where a step comes from national guidance rather than
the procedures (ringing 999, the FGM reporting duty, not copying images) its paragraph says
"KCSIE" so nobody mistakes it for the school's text.

Who to contact comes from ``routing``; this module only puts it into words.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from kiosk.rules.contacts import (
    POLICE_EMERGENCY,
    POLICE_NON_EMERGENCY,
    RECIPIENT_ROLES,
    ROLE_LABELS,
    contacts_for_role,
    first_contact,
    lado_contact,
    local_authority_contacts,
    nspcc_contact,
    referral_contacts,
)
from kiosk.rules.profile import Profile
from kiosk.rules.results import Contact, Guidance, Step
from kiosk.rules.routing import (
    LADO_RULE,
    AdultSubject,
    HarmsAnswers,
    escalation_route,
    route_adult_concern,
    route_child_concern,
    whistleblowing_routes,
)
from kiosk.rules.vocabulary import SOURCE_PARAGRAPHS


class Situation(StrEnum):
    DISCLOSURE = "disclosure"                        # a child told you (10a)
    TOLD_BY_PARENT = "told_by_parent"                # a parent told you (10a)
    TOLD_BY_ANOTHER_CHILD = "told_by_another_child"  # another child told you (10b)
    NOTICED = "noticed"                              # you noticed something (10c)
    TOLD_BY_PROFESSIONAL = "told_by_professional"    # another professional said or did (10d)
    DSL_UNAVAILABLE = "dsl_unavailable"              # 10, 11c
    ONLINE_SAFETY = "online_safety"                  # 8, 9
    ADULT_CONCERN = "adult_concern"                  # 14
    LOW_LEVEL_CONCERN = "low_level_concern"          # 15, 16
    WHISTLEBLOWING = "whistleblowing"                # 17, 18
    NOT_RESPONDED = "not_responded"                  # end of 14, 12
    EARLY_HELP = "early_help"                        # 5, 6
    NEW_STAFF = "new_staff"                          # 3, 13, 19
    ENROLMENT = "enrolment"                          # 3, 19



_SITUATION_SOURCE = {
    Situation.DISCLOSURE: "child_told",
    Situation.TOLD_BY_PARENT: "parent_told",
    Situation.TOLD_BY_ANOTHER_CHILD: "other_child_told",
    Situation.NOTICED: "noticed",
    Situation.TOLD_BY_PROFESSIONAL: "professional",
}

_TITLES = {
    "child_told": "A child has told you something",
    "parent_told": "A parent has told you something",
    "other_child_told": "Another child has told you something",
    "noticed": "You have noticed something about a child",
    "professional": "Another professional said or did something",
    None: "A concern about a child",
}

OPEN_QUESTIONS = "who, how, why, what, where and when"


def _danger_step(then: str = "then tell the DSL") -> Step:
    return Step(
        f"If a child is in immediate danger or at risk of serious harm, ring 999 now, {then}.",
        POLICE_EMERGENCY, "KCSIE",
    )


def _guidance(situation: str, title: str, steps: list[Step],
              extra_contacts: Iterable[Contact] = ()) -> Guidance:
    contacts: list[Contact] = []
    for c in [s.contact for s in steps if s.contact] + list(extra_contacts):
        if c not in contacts:
            contacts.append(c)
    paragraphs: list[str] = []
    for s in steps:
        if s.paragraph not in paragraphs:
            paragraphs.append(s.paragraph)
    return Guidance(situation=str(situation), title=title, steps=tuple(steps),
                    contacts=tuple(contacts), paragraphs=tuple(paragraphs))


def _people(contacts: Iterable[Contact]) -> str:
    """Everyone in a role, "Mr B. Jones, 01632 960102 or Ms C. Patel, 01632 960103"."""
    return " or ".join(_reach(c) for c in contacts)


def _cap(text: str) -> str:
    """Capitalise the first letter only ("the DSL" -> "The DSL"; str.capitalize lowers the rest)."""
    return text[:1].upper() + text[1:]


def _reach(contact: Contact) -> str:
    """"Mrs A. Smith, 01632 960101" - the name and the quickest way to reach them."""
    how = contact.phone or contact.email or contact.url
    return f"{contact.name}, {how}" if how else contact.name


# ---------------------------------------------------------------------------------------------
# Concerns about a child (paragraphs 7-12)
# ---------------------------------------------------------------------------------------------


def _examples(tell_name: str) -> dict[str, str]:
    """Paragraph 11b's example in words that fit who is being told what happens next."""
    helps = f"'I need to tell {tell_name} so that they can help us think about how to keep"
    return {
        "child": f"{helps} you safe.'",
        "parent": f"{helps} your child safe.'",
        "other_child": (f"'Thank you for telling me. I need to tell {tell_name} so that they can "
                        "help us make sure everyone is safe.'"),
    }


_DONT_PARENTS = Step(
    "Do not discuss your concern with the child's parents if that may increase the risk to "
    "the child.", None, "11a")


def _parent_risk_warning() -> Step:
    return Step(
        "Talking to the parent may increase the risk to the child: do not discuss your concern "
        "with them, do not ask them more questions and do not tell them what will happen next. "
        "Whoever you pass it to decides when and how the family is told.", None, "11a")


def _source_steps(source: str | None, tell_name: str, parent_risk: bool | None) -> list[Step]:
    """Steps 11a and 11b in the words that fit where the concern came from.

    ``parent_risk`` answers 11a's question for a concern a parent raised: might talking to
    the parent increase the risk to the child? True: nothing tells staff to tell the parent
    what happens next (11b gives way to 11a). None: not answered yet, so 11b is conditional.
    """
    example = _examples(tell_name)
    if source == "parent_told":
        if parent_risk:
            return [Step("Do not investigate. Write down what the parent said, in their words.",
                         None, "11a")]
        steps = []
        if parent_risk is None:
            steps.append(Step(
                "First decide: could talking to the parent increase the risk to the child? If "
                "it could, do not discuss your concern with them or tell them what happens "
                "next (answer the question on the form).", None, "11a"))
        steps.append(Step(
            "Listen. Do not investigate. If you need to clarify, ask the parent open questions "
            f"({OPEN_QUESTIONS}) and be careful not to lead them.", None, "11a"))
        lead = ("If it is safe to talk to them, tell the parent" if parent_risk is None
                else "Tell the parent")
        steps.append(Step(f"{lead} what you will do next, for example: {example['parent']} "
                          "Do not promise to keep it secret.", None, "11b"))
        return steps
    if source == "child_told":
        return [
            Step("Listen. Do not investigate. If you need to clarify, ask the child open "
                 f"questions ({OPEN_QUESTIONS}) and be careful not to lead them.", None, "11a"),
            Step(f"Tell the child what you will do next, for example: {example['child']} Do not "
                 "promise to keep it secret.", None, "11b"),
            _DONT_PARENTS,
        ]
    if source == "other_child_told":
        return [
            Step("Listen to the child who told you. Do not investigate, and do not question the "
                 "child the concern is about; if you need to clarify, ask open questions "
                 f"({OPEN_QUESTIONS}) without leading.", None, "11a"),
            Step("Tell the child who told you what you will do next, for example: "
                 f"{example['other_child']}", None, "11b"),
            _DONT_PARENTS,
        ]
    if source == "professional":
        return [
            Step("Note who the professional is (name, role, organisation, how to reach them) and "
                 "exactly what they said or did.", None, "10d"),
            Step("Do not assume they, or anyone else, have already passed it on: it is always "
                 "your responsibility to share it.", None, "11"),
            _DONT_PARENTS,
        ]
    # Noticed, or source not yet chosen.
    return [
        Step("Do not investigate. If you need to clarify, ask the child or parent open questions "
             f"({OPEN_QUESTIONS}) and be careful not to lead them.", None, "11a"),
        Step("If you talk with the child about your concern, tell them what you will do next, "
             f"for example: {example['child']} To a parent: {example['parent']}", None, "11b"),
        _DONT_PARENTS,
    ]


def _online_steps(contact: Contact, tell: str | None) -> list[Step]:
    """Paragraphs 8 and 9: online safety is escalated like any other concern.

    ``tell`` is who the person passes it to ("the DSL", "a deputy DSL"); None when nobody
    in school can be reached and they refer it themselves.
    """
    where = (f"tell {tell} where it is" if tell
             else "say where it is in this record and when you refer")
    phone = (f"keep it secure and hand it to {tell} without looking through it" if tell
             else "keep it secure, without looking through it, until the DSL team takes it")
    return [
        Step("Do not search for, copy, forward, save or show anyone images or messages, even "
             "as evidence. If a device may hold a nude or semi-nude image of a child, do not "
             f"look at it: {where}.", None, "KCSIE"),
        Step("Say which device, account, app or website, and when: school devices are "
             "monitored, online and offline, so the monitoring record can be checked.", None, "9"),
        Step(f"If a pupil's phone is involved, {phone} (pupils' phones stay in their locked "
             "lockers during the day).", contact if tell else None, "9"),
        Step("Online-safety concerns are escalated like any other: report them, however "
             "small.", None, "8"),
    ]


def _category_steps(profile: Profile, categories: Iterable[str], contact: Contact,
                    tell: str | None, online: bool = False) -> list[Step]:
    """Extra steps for every kind of concern ticked that the procedures (or the law) single out.

    ``online`` adds the online-safety steps whatever the categories (the online-safety
    situation with, say, a child-on-child category: harassment by message). ``tell`` is who
    to pass it to, or None when the person refers it themselves.
    """
    cats = list(dict.fromkeys(categories))
    for category in cats:
        if category not in profile.category_keys:
            raise ValueError(f"unknown category {category!r}; the profile has "
                             f"{', '.join(profile.category_keys)}")
    steps = _online_steps(contact, tell) if online or "online_safety" in cats else []
    if "child_on_child" in cats:
        steps.append(Step(
            "Abuse between children is never 'banter', 'just having a laugh' or 'part of growing "
            "up'. Take it seriously and report it like any other concern, including sexual "
            "violence and sexual harassment.", None, "7"))
    if "radicalisation" in cats:
        steps.append(Step(
            "Protecting children from radicalisation is part of safeguarding (the Prevent duty). "
            + (f"Report it to {tell} like any other concern; they decide whether a Prevent "
               "referral is needed." if tell else
               "Report it like any other concern, and say so when you refer: a Prevent referral "
               "may be needed."), contact if tell else None, "7"))
    if "fgm_honour_based" in cats:
        also = f"as well as telling {tell}" if tell else "as well as making the referral below"
        steps += [
            Step("If you are a teacher and a girl under 18 tells you that FGM has been carried "
                 "out on her, or you see signs that it has, you must report it to the police "
                 f"yourself (ring 101) {also}.", POLICE_NON_EMERGENCY, "KCSIE"),
            Step("Do not contact the family or community about it: that may increase the risk "
                 "to the child.", None, "11a"),
        ]
    return steps


def _as_categories(category: str | Iterable[str] | None) -> tuple[str, ...]:
    if category is None:
        return ()
    if isinstance(category, str):
        return (category,)
    return tuple(category)


def _child_guidance(profile: Profile, situation: str, source: str | None,
                    categories: tuple[str, ...], available: set[str] | None,
                    title: str | None = None, online: bool = False,
                    parent_risk: bool | None = None) -> Guidance:
    if source is not None and source not in SOURCE_PARAGRAPHS:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCE_PARAGRAPHS)}")
    routing = route_child_concern(profile, available)
    dsl = first_contact(profile, "dsl")
    referral = referral_contacts(profile)[0]
    consultation = local_authority_contacts(profile)[0]
    portal = referral_contacts(profile)[1]

    if routing.refer_yourself:
        # Nobody in school can be reached: no step may send the person to the DSL.
        tell_name = "someone whose job is to help keep children safe"
        tell = None
    else:
        tell_name = routing.contacts[0].name
        tell = ROLE_LABELS[routing.recipient]

    steps = [_danger_step("then make the referral below" if tell is None
                          else f"then tell {tell}")]
    if source == "parent_told" and parent_risk:
        # 11a before anything else the parent might be told (11b gives way).
        steps.append(_parent_risk_warning())
    if tell is None:
        steps.append(Step("Even if you think it is minor, pass it on: it is never your decision "
                          "alone how to respond.", None, "11"))
    else:
        steps.append(Step(
            "Even if you think it is minor, share it: the DSL may hold other information that "
            "makes it a more serious worry. It is never your decision alone how to respond.",
            None, "11"))
    steps += _source_steps(source, tell_name, parent_risk)
    steps += _category_steps(profile, categories, routing.contacts[0] if tell else dsl, tell,
                             online)

    # Who to tell, in the order of 10 and 11c.
    extra_contacts = list(routing.contacts)
    if routing.refer_yourself:
        steps += [
            Step("None of the designated safeguarding staff or the headteacher is available: you "
                 f"must make the referral yourself, now. Ring {_reach(referral)}.", referral, "11c"),
            Step(f"Or refer online: {portal.name}, {portal.url}.", portal, "21"),
            Step(f"For advice before referring, ring the {_reach(consultation)}.", consultation, "20"),
        ]
    else:
        lead_in = {
            "dsl": "Inform the DSL now",
            "deputy_dsl": "The DSL is not available: inform a deputy DSL now",
            "headteacher": "No designated safeguarding lead is available: inform the headteacher now",
        }[routing.recipient]
        # Paragraph 10 is "pass all concerns immediately to the DSL", whichever of a-d the
        # concern came from, so the step cites the sub-paragraph of its source.
        steps.append(Step(f"{lead_in}: {_people(routing.contacts)}.", routing.contacts[0],
                          (SOURCE_PARAGRAPHS[source] if source else "10") if routing.recipient == "dsl"
                          else "11c"))
        for role in routing.fallbacks:
            if role == "local_authority":
                steps.append(Step(
                    "If none of the designated safeguarding staff or the headteacher is "
                    f"available, make the referral yourself: ring {_reach(referral)}.",
                    referral, "11c"))
            else:
                found = contacts_for_role(profile, role)
                extra_contacts += found
                steps.append(Step(f"If you cannot reach them, inform {ROLE_LABELS[role]}: "
                                  f"{_people(found)}.", found[0], "11c"))

    record_what = {
        "child_told": "the child's own words, not your interpretation",
        "parent_told": "the parent's own words, not your interpretation",
        "other_child_told": "what the other child said, in their words, and who they are",
        "professional": "who the professional is and what they said or did, in their words",
    }.get(source or "", "what you saw or heard, when and where")
    # The console is the school's written record (11d): nobody is sent to another system or
    # a paper form while they are filling it in.
    steps.append(Step(
        "This form is your written record: complete it as soon as possible after the event, "
        f"with {record_what}.", None, "11d"))
    steps.append(Step(
        "In the record, say why it is a cause for concern: your analysis of what you saw or "
        "heard.", None, "11d"))
    if routing.refer_yourself:
        steps.append(Step("Say in this record what you did, whom you spoke to and when: the DSL "
                          "team sees it as soon as they are back.", None, "11d"))
    else:
        steps.append(Step(
            "If you do not feel able to refer it to the DSL, you may report it directly to the "
            f"local authority: {_reach(referral)}.", referral, "12"))

    if title is None:
        title = _TITLES.get(source, _TITLES[None])
        if categories:
            title = f"{title}: {', '.join(profile.category(c).name for c in categories)}"
    return _guidance(situation, title, steps, extra_contacts)


def guidance_for_child_concern(profile: Profile, source: str | None,
                               category: str | Iterable[str] | None,
                               dsl_available: bool = True, *,
                               parent_risk: bool | None = None) -> Guidance:
    """The guidance the concern form shows as the person fills in source and categories.

    ``category`` is one category key or every key ticked; each feeds its own steps.
    """
    categories = _as_categories(category)
    if dsl_available:
        by_source = {src: sit for sit, src in _SITUATION_SOURCE.items()}
        return _child_guidance(profile, by_source.get(source, Situation.NOTICED), source,
                               categories, None, parent_risk=parent_risk)
    return next_steps(profile, Situation.DSL_UNAVAILABLE, source=source, category=categories,
                      parent_risk=parent_risk)


# ---------------------------------------------------------------------------------------------
# Concerns about adults (paragraphs 14-16)
# ---------------------------------------------------------------------------------------------

_THRESHOLD_TEXT = (
    "Check the harms threshold. Has the adult (a) behaved in a way that has harmed, or may have "
    "harmed, a child; (b) possibly committed a criminal offence against or related to a child; "
    "(c) behaved towards children in a way that indicates they may pose a risk of harm; or "
    "(d) behaved in a way that indicates they may not be suitable to work with children? "
    "If any is yes, it is an allegation. If none, it is a low-level concern."
)


def _escalation_step(profile: Profile, subject: AdultSubject) -> Step:
    route = escalation_route(profile, subject)
    return Step(f"{route.note} {_reach(route.contacts[0])}.", route.contacts[0], route.paragraph)


def _allegation_guidance(profile: Profile, subject: AdultSubject, answers: HarmsAnswers | None,
                         available: set[str] | None) -> Guidance:
    # Unanswered tests are shown as a step; route as an allegation so nothing waits on them.
    routing = route_adult_concern(profile, subject, answers or HarmsAnswers(harmed_child=True),
                                  available=available)
    to = routing.contacts[0]
    why = ""
    if subject.about_head:
        why = " Because it is about the headteacher (or a relative of the headteacher working at the school), it goes to the Director of Education."
    steps = [
        # Not "tell the DSL": the DSL may be the adult the concern is about.
        _danger_step("then follow the steps below"),
        Step(_THRESHOLD_TEXT, None, "14"),
        Step(f"Refer it without delay to {ROLE_LABELS[routing.recipient]}: {_reach(to)}.{why}",
             to, "14"),
        Step("Do not investigate, and do not discuss it with the adult concerned.", None, "KCSIE"),
        Step("This form is your written record: what you saw or heard, when and where, and why "
             "it is a concern (the console dates it and records who wrote it). All concerns are "
             "reported and recorded.", None, "4c"),
    ]
    if routing.share_with:
        lado = lado_contact(profile)
        via = "" if profile.local_authority.lado else " (ask for the LADO)"
        steps.append(Step(f"{_cap(ROLE_LABELS[routing.recipient])} {LADO_RULE}: "
                          f"{_reach(lado)}{via}.", lado, "14"))
    steps.append(_escalation_step(profile, subject))
    nspcc = nspcc_contact(profile)
    steps.append(Step("If you do not feel able to raise it inside the school or trust, ring the "
                      f"{_reach(nspcc)} ({profile.nspcc.hours}) or email {profile.nspcc.email}.",
                      nspcc, "18"))
    return _guidance(Situation.ADULT_CONCERN, "A concern about an adult: possible allegation",
                     steps, routing.contacts)


def _low_level_guidance(profile: Profile, subject: AdultSubject,
                        available: set[str] | None) -> Guidance:
    routing = route_adult_concern(profile, subject, HarmsAnswers(), available=available)
    allegation = route_adult_concern(profile, subject, HarmsAnswers(harmed_child=True),
                                     available=available)
    to = routing.contacts[0]
    steps = [
        Step("A low-level concern is any concern, however small, even a sense of unease or a "
             "nagging doubt, that an adult working in or for the school may have acted against "
             "the staff code of conduct, including outside work, without meeting the harms "
             "threshold. 'Low level' does not mean insignificant.", None, "16"),
        Step("Examples: being over-friendly with children; having favourites; taking photographs "
             "of children on their mobile phone; being one-to-one with a child in a secluded area "
             "or behind a closed door; using inappropriate sexualised, intimidating or offensive "
             "language.", None, "16"),
        Step("If it may meet the harms threshold (paragraph 14 a-d), it is not low level: refer "
             f"it now to {ROLE_LABELS[allegation.recipient]}: {_reach(allegation.contacts[0])}.",
             allegation.contacts[0], "14"),
        Step(f"Report it to {ROLE_LABELS[routing.recipient]}: {_reach(to)}.", to, "15"),
        Step(f"{_cap(ROLE_LABELS[routing.recipient])} records it in writing: the concern, "
             "the context in which it arose, the action taken and the reasons for decisions.",
             None, "15"),
    ]
    for role, contact in zip(routing.share_with, routing.share_contacts):
        steps.append(Step(f"{_cap(ROLE_LABELS[routing.recipient])} shares it with "
                          f"{ROLE_LABELS[role]}.", contact, "15"))
    steps.append(_escalation_step(profile, subject))
    return _guidance(Situation.LOW_LEVEL_CONCERN, "A low-level concern about an adult", steps,
                     routing.contacts)


# ---------------------------------------------------------------------------------------------
# Whistleblowing, escalation, early help, the procedures themselves
# ---------------------------------------------------------------------------------------------


def _whistleblowing_guidance(profile: Profile, subject: AdultSubject | None) -> Guidance:
    routes = whistleblowing_routes(profile, subject)
    steps = []
    for route in routes:
        if route.recipient == "nspcc":
            steps.append(Step(route.note, route.contacts[0], route.paragraph))
        else:
            lead = ("Raise concerns about poor or unsafe practice, or possible failures in the "
                    "school's safeguarding, in the first instance with" if not steps else "Or with")
            steps.append(Step(f"{lead} {ROLE_LABELS[route.recipient]}: {_reach(route.contacts[0])}.",
                              route.contacts[0], route.paragraph))
    steps.insert(len(steps) - 1, Step("Follow the trust's whistleblowing policy.", None, "17"))
    steps.append(Step("If a child is at risk now, also follow the steps for a concern about a "
                      "child, or refer it to the local authority yourself: "
                      f"{_reach(referral_contacts(profile)[0])}.",
                      referral_contacts(profile)[0], "12"))
    return _guidance(Situation.WHISTLEBLOWING, "Whistleblowing: poor or unsafe practice", steps)


def _not_responded_guidance(profile: Profile, subject: AdultSubject | None) -> Guidance:
    referral = referral_contacts(profile)[0]
    nspcc = nspcc_contact(profile)
    steps = [
        _escalation_step(profile, subject or AdultSubject()),
        Step("For a concern about a child, any member of staff may also refer directly to the "
             f"local authority: {_reach(referral)}.", referral, "12"),
        Step(f"If you cannot raise it inside the school or trust: {_reach(nspcc)} "
             f"({profile.nspcc.hours}) or {profile.nspcc.email}.", nspcc, "18"),
    ]
    return _guidance(Situation.NOT_RESPONDED, "Your concern was not responded to appropriately", steps)


_FREQUENCY_WORDS = {
    "as_needed": "as needed", "half_termly": "every half term",
}


def _early_help_guidance(profile: Profile) -> Guidance:
    dsl = first_contact(profile, "dsl")
    steps = [
        Step("Early help means support as soon as a problem emerges. If a child or family needs "
             "support, talk to the DSL or the pastoral team; if you are worried about the child's "
             f"safety, follow the steps for a concern about a child. {_reach(dsl)}.", dsl, "5"),
    ]
    for offer in profile.offers:
        details = [_FREQUENCY_WORDS.get(offer.frequency, offer.frequency)]
        details += [x for x in (offer.audience, offer.access and f"by {offer.access}",
                                offer.description) if x]
        steps.append(Step(f"{offer.name} ({'; '.join(details)}).", None, "6"))
    for agency in profile.agencies:
        c = Contact(role=f"agency:{agency.key}", name=agency.name, phone=agency.phone,
                    email=agency.email, url=agency.url, note=agency.contact,
                    placeholder=agency.placeholder)
        steps.append(Step(f"Outside agency when needed: {agency.name} ({agency.contact}); "
                          f"expect a reply within {agency.response_days} working day"
                          f"{'s' if agency.response_days != 1 else ''}.",
                          c if (c.phone or c.email or c.url) else None, "6"))
    return _guidance(Situation.EARLY_HELP, "Early help", steps)


def _new_staff_guidance(profile: Profile) -> Guidance:
    dsl = first_contact(profile, "dsl")
    steps = [
        Step(f"Read the child protection procedures (version {profile.procedures_version}) and "
             "sign to confirm you have read and agree to them before you start working with "
             "children.", dsl, "3"),
        Step("Learn who to pass concerns to: the DSL, the deputy DSLs, the headteacher, and how "
             "to refer to the local authority yourself.", dsl, "13"),
        Step("The procedures are reviewed at least annually; when the version changes you will "
             "be asked to confirm them again.", None, "19"),
    ]
    return _guidance(Situation.NEW_STAFF, "Before you start working with children", steps)


def _enrolment_guidance(profile: Profile) -> Guidance:
    dsl = first_contact(profile, "dsl")
    steps = [
        Step("Give the family a copy of the child protection procedures before enrolment.",
             None, "3"),
        Step("Explain that staff may act if there are concerns for a child's safety, and that the "
             "family might not be consulted before action is taken.", None, "3"),
        Step("Copies are in the staffroom and on the school's website; hard copies can be "
             f"requested from the school office. Questions go to the DSL: {_reach(dsl)}.", dsl, "19"),
    ]
    return _guidance(Situation.ENROLMENT, "Enrolling a child", steps)


# ---------------------------------------------------------------------------------------------
# The one entry point
# ---------------------------------------------------------------------------------------------


def next_steps(profile: Profile, situation: str | Situation, *, source: str | None = None,
               category: str | Iterable[str] | None = None, available: set[str] | None = None,
               subject: AdultSubject | None = None, answers: HarmsAnswers | None = None,
               parent_risk: bool | None = None) -> Guidance:
    """The ordered steps for ``situation``.

    Child situations use ``source`` (paragraph 10 a-d), ``category`` (a profile category key)
    and ``available`` (role keys that can be reached now; None = everyone). Adult situations
    use ``subject`` and ``answers``: an adult concern whose answers meet none of the four tests
    of paragraph 14 gets the low-level steps.
    """
    try:
        situation = Situation(situation)
    except ValueError:
        raise ValueError(f"unknown situation {situation!r}") from None
    subject = subject or AdultSubject()
    categories = _as_categories(category)

    if situation in _SITUATION_SOURCE:
        return _child_guidance(profile, situation, source or _SITUATION_SOURCE[situation],
                               categories, available, parent_risk=parent_risk)
    if situation is Situation.DSL_UNAVAILABLE:
        base = RECIPIENT_ROLES if available is None else frozenset(available)
        title = "The DSL is not available"
        if source is not None:
            title = f"{_TITLES[source]}: the DSL is not available"
        return _child_guidance(profile, situation, source, categories, set(base - {"dsl"}),
                               title=title, parent_risk=parent_risk)
    if situation is Situation.ONLINE_SAFETY:
        return _child_guidance(profile, situation, source, categories, available,
                               title="An online-safety concern", online=True,
                               parent_risk=parent_risk)
    if situation is Situation.ADULT_CONCERN:
        if answers is not None and not answers.meets_threshold:
            return _low_level_guidance(profile, subject, available)
        return _allegation_guidance(profile, subject, answers, available)
    if situation is Situation.LOW_LEVEL_CONCERN:
        return _low_level_guidance(profile, subject, available)
    if situation is Situation.WHISTLEBLOWING:
        return _whistleblowing_guidance(profile, subject)
    if situation is Situation.NOT_RESPONDED:
        return _not_responded_guidance(profile, subject)
    if situation is Situation.EARLY_HELP:
        return _early_help_guidance(profile)
    if situation is Situation.NEW_STAFF:
        return _new_staff_guidance(profile)
    return _enrolment_guidance(profile)


# Paragraph 11d, one line for each of the concern form's three written fields, shown above
# the field itself (the rules pane may be hidden or scrolled). Each fits 78 columns.
_OWN_WORDS = {
    "child_told": "The child's own words, as said, not your interpretation (para 11d)",
    "parent_told": "The parent's own words, as said, not your interpretation (para 11d)",
    "other_child_told": "What the other child said, in their words (para 11d)",
    "professional": "What the professional said or did, in their words (para 11d)",
}
_OWN_WORDS_DEFAULT = "Any words said to you, as said, not your interpretation (para 11d)"


def record_prompts(source: str | None = None) -> dict[str, str]:
    """What to write in the concern form's words / description / why fields (para 11d)."""
    return {
        "words": _OWN_WORDS.get(source or "", _OWN_WORDS_DEFAULT),
        "description": "What you saw or heard: facts, when and where (para 11d, required)",
        "why": "Why it is a cause for concern: your analysis (para 11d)",
    }
