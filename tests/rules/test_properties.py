"""Property tests: every situation gives someone to contact; nobody is routed their own concern."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.rules import (
    RECIPIENT_ROLES,
    SOURCES,
    AdultSubject,
    HarmsAnswers,
    Situation,
    add_working_days,
    cp_file_transfer_deadline,
    escalation_route,
    excluded_roles,
    guidance_for_child_concern,
    is_working_day,
    lado_deadline,
    next_steps,
    route_adult_concern,
    route_child_concern,
    whistleblowing_routes,
)

from .conftest import PROFILE

# The shared conftest has a function-scoped autouse fixture; these tests do not use it.
relaxed = settings(max_examples=300, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])

sources = st.sampled_from([None, *SOURCES])
categories = st.sampled_from([None, *PROFILE.category_keys])
availability = st.one_of(st.none(), st.sets(st.sampled_from(sorted(RECIPIENT_ROLES))))
subjects = st.builds(
    AdultSubject,
    is_headteacher=st.booleans(), is_head_relative=st.booleans(), is_dsl=st.booleans(),
    is_trust_central=st.booleans(), person_id=st.none() | st.integers(1, 99),
    is_deputy_dsl=st.booleans(), is_director_of_education=st.booleans(),
    is_trust_safeguarding_lead=st.booleans(), is_chair_of_governors=st.booleans(),
)
answers = st.builds(HarmsAnswers, st.booleans(), st.booleans(), st.booleans(), st.booleans())


def roles_held(subject: AdultSubject) -> set[str]:
    """The test's own statement of which recipient roles a subject holds, written apart from
    kiosk.rules.excluded_roles so that a mistake there cannot hide itself here. A relative of
    the headteacher counts as the headteacher (paragraphs 14 and 15)."""
    flags = {
        "headteacher": subject.is_headteacher or subject.is_head_relative,
        "dsl": subject.is_dsl,
        "deputy_dsl": subject.is_deputy_dsl,
        "director_of_education": subject.is_director_of_education,
        "trust_safeguarding_lead": subject.is_trust_safeguarding_lead,
        "chair_of_governors": subject.is_chair_of_governors,
    }
    return {role for role, held in flags.items() if held}


def _person_names(role: str) -> tuple[str, ...]:
    if role == "deputy_dsl":
        return tuple(p.name for p in PROFILE.deputy_dsls)
    return (getattr(PROFILE, role).name,)


def _has_contact_step(guidance) -> bool:
    return any(s.contact is not None and (s.contact.phone or s.contact.email or s.contact.url)
               for s in guidance.steps)


@relaxed
@given(situation=st.sampled_from(list(Situation)), source=sources, category=categories,
       available=availability, subject=subjects, harms=st.none() | answers)
def test_every_situation_yields_a_step_with_a_contact(situation, source, category, available,
                                                      subject, harms):
    g = next_steps(PROFILE, situation, source=source, category=category, available=available,
                   subject=subject, answers=harms)
    assert g.steps
    assert _has_contact_step(g)
    assert all(s.paragraph for s in g.steps)
    assert all(s.text.strip() for s in g.steps)


@relaxed
@given(source=sources, category=categories, dsl_available=st.booleans())
def test_every_child_concern_form_state_yields_a_step_with_a_contact(source, category, dsl_available):
    g = guidance_for_child_concern(PROFILE, source, category, dsl_available)
    assert _has_contact_step(g)
    if not dsl_available:
        assert not any(s.text.startswith("Inform the DSL now") for s in g.steps)


@relaxed
@given(subject=subjects, harms=answers, available=availability)
def test_no_adult_concern_is_routed_to_its_subject(subject, harms, available):
    r = route_adult_concern(PROFILE, subject, harms, available=available)
    excluded = roles_held(subject)
    assert excluded_roles(subject) == excluded
    assert r.recipient in RECIPIENT_ROLES
    assert r.recipient not in excluded
    assert not set(r.fallbacks) & excluded
    assert not set(r.share_with) & excluded
    assert r.escalation.recipient not in excluded
    assert r.kind == ("allegation" if harms.meets_threshold else "low_level")
    assert r.contacts


@relaxed
@given(subject=subjects, harms=st.none() | answers, available=availability)
def test_no_adult_guidance_names_a_contact_in_the_subjects_roles(subject, harms, available):
    excluded = roles_held(subject)
    for situation in ("adult_concern", "low_level_concern", "whistleblowing", "not_responded"):
        g = next_steps(PROFILE, situation, subject=subject, answers=harms, available=available)
        assert not {c.role for c in g.contacts} & excluded, situation
        # Nor in words: no step text names a person the concern is about.
        names = {_person_names(role) for role in excluded}
        for step in g.steps:
            assert not any(n in step.text for group in names for n in group), (situation, step)


@relaxed
@given(subject=subjects)
def test_whistleblowing_and_escalation_never_go_to_the_subject(subject):
    excluded = roles_held(subject)
    routes = whistleblowing_routes(PROFILE, subject)
    assert routes[-1].recipient == "nspcc"
    assert not {r.recipient for r in routes} & excluded
    assert escalation_route(PROFILE, subject).recipient not in excluded


@relaxed
@given(available=availability, exclude=st.sets(st.sampled_from(["dsl", "deputy_dsl", "headteacher"])))
def test_child_concern_goes_to_the_first_available_designated_person(available, exclude):
    r = route_child_concern(PROFILE, available, exclude=exclude)
    chain = [x for x in ("dsl", "deputy_dsl", "headteacher")
             if x not in exclude and (available is None or x in available)]
    assert r.recipient == (chain[0] if chain else "local_authority")
    assert r.refer_yourself == (not chain)
    assert r.contacts and r.la_contacts


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31))


@relaxed
@given(start=days, n=st.integers(0, 30))
def test_add_working_days_lands_on_a_working_day_n_working_days_later(start, n):
    end = add_working_days(start, n)
    between = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(is_working_day(d) for d in between) == n
    if n:
        assert is_working_day(end)


@relaxed
@given(day=days, at=st.times())
def test_lado_deadline_is_end_of_the_first_working_day_after_being_told(day, at):
    told = datetime.combine(day, at)
    due = lado_deadline(told)
    assert due.time() == time(23, 59, 59)
    assert is_working_day(due)
    assert due.date() > day
    assert not any(is_working_day(day + timedelta(days=i)) for i in range(1, (due.date() - day).days))


@relaxed
@given(move=st.dates(min_value=date(2026, 9, 1), max_value=date(2027, 7, 10)))
def test_cp_file_deadline_is_a_school_day_within_a_few_weeks(move):
    due = cp_file_transfer_deadline(move, PROFILE)
    assert is_working_day(due)
    assert any(t.start <= due <= t.end for t in PROFILE.terms)
    assert 5 <= (due - move).days <= 30  # the Christmas and Easter holidays are the longest gaps
