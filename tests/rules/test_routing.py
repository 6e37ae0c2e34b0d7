"""Routing: one test per branch of paragraphs 10-18, named after the paragraph."""

from __future__ import annotations

import pytest

from kiosk.rules import (
    AdultSubject,
    HarmsAnswers,
    escalation_route,
    excluded_roles,
    route_adult_concern,
    route_child_concern,
    whistleblowing_routes,
)

from .conftest import build

ALLEGATION = HarmsAnswers(harmed_child=True)
LOW_LEVEL = HarmsAnswers()


# --- concerns about a child (10-12) ----------------------------------------------------------------


def test_para10_child_concern_goes_to_the_dsl(profile):
    r = route_child_concern(profile)
    assert r.recipient == "dsl"
    assert r.contacts[0].name == profile.dsl.name
    assert r.contacts[0].phone == profile.dsl.phone
    assert r.fallbacks == ("deputy_dsl", "headteacher", "local_authority")
    assert r.refer_yourself is False


def test_para10_child_concern_goes_to_a_deputy_dsl_when_the_dsl_is_not_available(profile):
    r = route_child_concern(profile, available={"deputy_dsl", "headteacher"})
    assert r.recipient == "deputy_dsl"
    assert [c.name for c in r.contacts] == [p.name for p in profile.deputy_dsls]
    assert r.fallbacks == ("headteacher", "local_authority")
    assert "inform a deputy DSL" in r.notes[0]


def test_para11c_child_concern_goes_to_the_headteacher_when_no_dsl_is_available(profile):
    r = route_child_concern(profile, available={"headteacher"})
    assert r.recipient == "headteacher"
    assert r.contacts[0].name == profile.headteacher.name
    assert r.fallbacks == ("local_authority",)


def test_para11c_refer_yourself_when_none_of_dsl_deputies_or_head_is_available(profile):
    r = route_child_concern(profile, available=set())
    assert r.recipient == "local_authority"
    assert r.refer_yourself is True
    assert r.fallbacks == ()
    assert r.contacts[0].name == "Customer First"
    assert "must make the referral" in r.notes[0]
    assert {"11c", "20", "21"} <= set(r.paragraphs)


def test_para11c_other_staff_being_available_does_not_stop_referring_yourself(profile):
    # Only the DSL, deputies and headteacher take a child concern: a chair who happens to be
    # in the building is not a substitute.
    r = route_child_concern(profile, available={"chair_of_governors", "nspcc"})
    assert r.refer_yourself is True


def test_para10_school_without_deputies_goes_from_dsl_to_headteacher(default_data):
    del default_data["contacts"]["deputy_dsls"]
    p = build(default_data)
    assert route_child_concern(p).fallbacks == ("headteacher", "local_authority")
    assert route_child_concern(p, available={"deputy_dsl", "headteacher"}).recipient == "headteacher"


def test_para12_any_staff_member_may_refer_directly(profile):
    r = route_child_concern(profile)
    assert "Any member of staff may report a safeguarding concern directly" in r.direct_referral_note
    assert "0808 800 4005" in r.direct_referral_note
    assert [c.name for c in r.la_contacts][:3] == [
        "Professional Consultation Line", "Customer First", "Suffolk Early Help Portal"]
    assert "12" in r.paragraphs


def test_child_concern_never_goes_to_an_excluded_role(profile):
    r = route_child_concern(profile, exclude={"dsl"})
    assert r.recipient == "deputy_dsl"
    assert "dsl" not in r.fallbacks


def test_unknown_role_in_available_is_refused(profile):
    with pytest.raises(ValueError, match="unknown role key"):
        route_child_concern(profile, available={"DSL"})


# --- allegations about adults (14) ------------------------------------------------------------------


def test_para14_harms_threshold_is_any_of_the_four_tests():
    assert not HarmsAnswers().meets_threshold
    assert HarmsAnswers(harmed_child=True).meets_threshold
    assert HarmsAnswers(criminal_offence=True).meets_threshold
    assert HarmsAnswers(risk_of_harm=True).meets_threshold
    assert HarmsAnswers(unsuitable=True).meets_threshold


def test_para14_allegation_about_staff_goes_to_the_headteacher(profile):
    r = route_adult_concern(profile, AdultSubject(), ALLEGATION)
    assert r.kind == "allegation"
    assert r.recipient == "headteacher"
    assert r.contacts[0].name == profile.headteacher.name
    assert r.share_with == ("local_authority",)
    assert "LADO within one working day" in r.deadline_rule
    assert r.paragraphs == ("14",)


def test_para14_allegation_about_headteacher_goes_to_director_of_education(profile):
    r = route_adult_concern(profile, AdultSubject(is_headteacher=True), ALLEGATION)
    assert r.recipient == "director_of_education"
    assert r.contacts[0].name == profile.director_of_education.name
    assert "headteacher" not in r.fallbacks
    assert r.deadline_rule.startswith("The trust Director of Education contacts the LADO")


def test_para14_allegation_about_relative_of_headteacher_goes_to_director_of_education(profile):
    r = route_adult_concern(profile, AdultSubject(is_head_relative=True), ALLEGATION)
    assert r.recipient == "director_of_education"
    assert "headteacher" in r.excluded


def test_para14_allegation_about_the_dsl_goes_to_the_headteacher(profile):
    r = route_adult_concern(profile, AdultSubject(is_dsl=True), ALLEGATION)
    assert r.recipient == "headteacher"


@pytest.mark.parametrize("answers", [
    HarmsAnswers(criminal_offence=True), HarmsAnswers(risk_of_harm=True), HarmsAnswers(unsuitable=True),
])
def test_para14_each_test_alone_makes_it_an_allegation(profile, answers):
    assert route_adult_concern(profile, AdultSubject(), answers).kind == "allegation"


def test_para14_headteacher_absent_goes_to_director_with_acting_head_note(profile):
    r = route_adult_concern(profile, AdultSubject(), ALLEGATION,
                            available={"dsl", "director_of_education"})
    assert r.recipient == "director_of_education"
    assert any("acting as headteacher" in n for n in r.notes)


def test_para14_allegation_with_nobody_reachable_goes_to_the_lado_directly(profile):
    # An allegation cannot wait for someone's return: the LADO deadline is one working day.
    r = route_adult_concern(profile, AdultSubject(), ALLEGATION, available=set())
    assert r.recipient == "local_authority"
    assert r.share_with == ()
    assert "LADO" in r.contacts[0].note


def test_para14_allegation_lado_contact_is_the_referral_line_without_a_lado_in_the_profile(default_data):
    del default_data["local_authority"]["lado"]
    r = route_adult_concern(build(default_data), AdultSubject(), ALLEGATION)
    assert r.share_contacts[0].name == "Customer First"
    assert "LADO" in r.share_contacts[0].note


def test_para14_the_default_profile_carries_the_lado_marked_for_the_school_to_confirm(profile):
    r = route_adult_concern(profile, AdultSubject(), ALLEGATION)
    lado = r.share_contacts[0]
    assert lado.phone == "0300 123 2044" and "LADO" in lado.note
    assert lado.to_confirm
    out_of_hours = profile.local_authority.out_of_hours
    assert out_of_hours is not None and out_of_hours.phone and out_of_hours.confirm
    assert {"local_authority.lado", "local_authority.out_of_hours"} <= set(profile.placeholder_roles)


def test_para14_escalation_when_not_responded_to_goes_to_the_trust_lead(profile):
    route = escalation_route(profile)
    assert route.recipient == "trust_safeguarding_lead"
    assert route.contacts[0].email == "swatts@unitysp.co.uk"
    assert route.paragraph == "14"
    assert route_adult_concern(profile, AdultSubject(), ALLEGATION).escalation == route


def test_para14_escalation_about_the_trust_lead_goes_to_the_director(profile):
    route = escalation_route(profile, AdultSubject(is_trust_safeguarding_lead=True))
    assert route.recipient == "director_of_education"


def test_para14_escalation_about_trust_lead_and_director_goes_to_nspcc(profile):
    route = escalation_route(profile, AdultSubject(is_trust_safeguarding_lead=True,
                                                   is_director_of_education=True))
    assert route.recipient == "nspcc"
    assert route.paragraph == "18"


# --- low-level concerns (15-16) -------------------------------------------------------------------


def test_para15_low_level_concern_goes_to_the_dsl_and_is_shared_with_the_headteacher(profile):
    r = route_adult_concern(profile, AdultSubject(), LOW_LEVEL)
    assert r.kind == "low_level"
    assert r.recipient == "dsl"
    assert r.share_with == ("headteacher",)
    assert r.share_contacts[0].name == profile.headteacher.name
    assert r.deadline_rule is None
    assert r.paragraphs == ("15", "16")


def test_para15_low_level_concern_goes_to_a_deputy_in_the_dsls_absence(profile):
    r = route_adult_concern(profile, AdultSubject(), LOW_LEVEL, available={"deputy_dsl", "headteacher"})
    assert r.recipient == "deputy_dsl"
    assert r.share_with == ("headteacher", "dsl")


def test_para15_low_level_concern_about_the_dsl_goes_to_the_headteacher(profile):
    r = route_adult_concern(profile, AdultSubject(is_dsl=True), LOW_LEVEL)
    assert r.recipient == "headteacher"
    # "the Headteacher will share ... low level concerns reported to them about the DSL with
    # the Director of Education"
    assert r.share_with == ("director_of_education",)


def test_para15_low_level_concern_about_the_headteacher_goes_to_director_of_education(profile):
    r = route_adult_concern(profile, AdultSubject(is_headteacher=True), LOW_LEVEL)
    assert r.recipient == "director_of_education"
    assert r.share_with == ()


def test_para15_low_level_concern_about_a_relative_of_the_headteacher_goes_to_director(profile):
    r = route_adult_concern(profile, AdultSubject(is_head_relative=True), LOW_LEVEL)
    assert r.recipient == "director_of_education"


def test_para15_low_level_concern_about_trust_central_team_goes_to_trust_lead(profile):
    r = route_adult_concern(profile, AdultSubject(is_trust_central=True), LOW_LEVEL)
    assert r.recipient == "trust_safeguarding_lead"
    assert r.contacts[0].email == "swatts@unitysp.co.uk"


def test_para15_headteacher_who_is_also_dsl_is_treated_as_the_headteacher(profile):
    r = route_adult_concern(profile, AdultSubject(is_headteacher=True, is_dsl=True), LOW_LEVEL)
    assert r.recipient == "director_of_education"
    assert {"headteacher", "dsl"} <= r.excluded


def test_para15_low_level_concern_about_a_deputy_goes_to_the_dsl_not_a_deputy(profile):
    r = route_adult_concern(profile, AdultSubject(is_deputy_dsl=True), LOW_LEVEL,
                            available={"deputy_dsl", "headteacher"})
    # The DSL is away and the subject is a deputy: the next eligible role is the headteacher.
    assert r.recipient == "headteacher"
    assert "deputy_dsl" not in r.fallbacks


def test_para15_low_level_concern_when_nobody_is_in_waits_for_the_dsl(profile):
    r = route_adult_concern(profile, AdultSubject(), LOW_LEVEL, available=set())
    # A low-level concern is not an emergency: it goes to the DSL on their return, not to the
    # local authority.
    assert r.recipient == "dsl"
    assert any("as soon as they are back" in n for n in r.notes)


def test_para15_low_level_concern_does_not_go_to_the_chair_when_only_the_chair_is_in(profile):
    r = route_adult_concern(profile, AdultSubject(), LOW_LEVEL, available={"chair_of_governors"})
    assert r.recipient == "dsl"


def test_para15_record_is_made_by_the_person_told(profile):
    r = route_adult_concern(profile, AdultSubject(), LOW_LEVEL)
    assert any("records it in writing" in n and "reasons for decisions" in n for n in r.notes)


def test_excluded_roles_cover_every_flag():
    assert excluded_roles(AdultSubject()) == frozenset()
    assert excluded_roles(AdultSubject(is_headteacher=True)) == {"headteacher"}
    assert excluded_roles(AdultSubject(is_head_relative=True)) == {"headteacher"}
    assert excluded_roles(AdultSubject(is_dsl=True)) == {"dsl"}
    assert excluded_roles(AdultSubject(is_deputy_dsl=True)) == {"deputy_dsl"}
    assert excluded_roles(AdultSubject(is_director_of_education=True)) == {"director_of_education"}
    assert excluded_roles(AdultSubject(is_trust_safeguarding_lead=True)) == {"trust_safeguarding_lead"}
    assert excluded_roles(AdultSubject(is_chair_of_governors=True)) == {"chair_of_governors"}


def test_subject_holding_every_role_still_gets_a_route(profile):
    everyone = AdultSubject(
        is_headteacher=True, is_head_relative=True, is_dsl=True, is_trust_central=True,
        is_deputy_dsl=True, is_director_of_education=True, is_trust_safeguarding_lead=True,
        is_chair_of_governors=True,
    )
    assert route_adult_concern(profile, everyone, ALLEGATION).recipient == "local_authority"
    assert route_adult_concern(profile, everyone, LOW_LEVEL).recipient == "local_authority"


# --- whistleblowing (17-18) -----------------------------------------------------------------------


def test_para17_whistleblowing_goes_to_headteacher_or_chair_first(profile):
    routes = whistleblowing_routes(profile)
    assert [r.recipient for r in routes] == ["headteacher", "chair_of_governors", "nspcc"]
    assert routes[0].paragraph == routes[1].paragraph == "17"
    assert "whistleblowing policy" in routes[0].note


def test_para17_whistleblowing_about_the_headteacher_goes_to_the_chair(profile):
    routes = whistleblowing_routes(profile, AdultSubject(is_headteacher=True))
    assert [r.recipient for r in routes] == ["chair_of_governors", "nspcc"]


def test_para18_nspcc_whistleblowing_line_is_the_outside_route(profile):
    nspcc = whistleblowing_routes(profile)[-1]
    assert nspcc.paragraph == "18"
    assert nspcc.contacts[0].phone == "0800 028 0285"
    assert nspcc.contacts[0].email == "help@nspcc.org.uk"
    assert "08:00-20:00, Monday to Friday" in nspcc.note
