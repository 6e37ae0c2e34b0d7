"""Next steps: the words staff see beside a form, each with its contact and paragraph."""

from __future__ import annotations

import pytest

from kiosk.rules import (
    AdultSubject,
    HarmsAnswers,
    Situation,
    guidance_for_child_concern,
    next_steps,
)


def texts(guidance) -> list[str]:
    return [s.text for s in guidance.steps]


def step_for(guidance, paragraph: str):
    found = [s for s in guidance.steps if s.paragraph == paragraph]
    assert found, f"no step from paragraph {paragraph} in {guidance.paragraphs}"
    return found


def index_of(guidance, fragment: str) -> int:
    for i, s in enumerate(guidance.steps):
        if fragment in s.text:
            return i
    raise AssertionError(f"no step contains {fragment!r}")


# --- a concern about a child (10, 11) --------------------------------------------------------------


def test_para10a_disclosure_steps_in_the_order_of_paragraph_11(profile):
    g = next_steps(profile, "disclosure")
    assert g.title == "A child has told you something"
    order = [index_of(g, f) for f in (
        "Do not investigate", "Tell the child what you will do next",
        "Do not discuss your concern with the child's parents", "Inform the DSL now",
        "This form is your written record", "say why it is a cause for concern",
    )]
    assert order == sorted(order)


def test_para11a_ask_open_questions_without_leading(profile):
    (step,) = [s for s in step_for(next_steps(profile, "disclosure"), "11a") if "open questions" in s.text]
    assert "who, how, why, what, where and when" in step.text
    assert "not to lead" in step.text
    assert "Do not investigate" in step.text


def test_para11a_do_not_discuss_with_parents_where_that_may_increase_risk(profile):
    steps = step_for(next_steps(profile, "noticed"), "11a")
    assert any("parents if that may increase the risk" in s.text for s in steps)


def test_para11b_tell_the_child_what_happens_next_naming_the_dsl(profile):
    (step,) = step_for(next_steps(profile, "disclosure"), "11b")
    assert "I need to tell Mrs A. Smith" in step.text


def test_para11b_names_the_deputy_when_the_dsl_is_away(profile):
    (step,) = step_for(guidance_for_child_concern(profile, "child_told", None, dsl_available=False), "11b")
    assert "I need to tell Mr B. Jones" in step.text


def test_para10_inform_the_dsl_now_with_their_number(profile):
    g = next_steps(profile, "disclosure")
    (step,) = [s for s in g.steps if s.text.startswith("Inform the DSL now")]
    assert step.contact.name == profile.dsl.name
    assert profile.dsl.phone in step.text
    assert step.paragraph == "10a"  # a child told you: paragraph 10a


@pytest.mark.parametrize("source, paragraph", [
    ("child_told", "10a"), ("parent_told", "10a"), ("other_child_told", "10b"),
    ("noticed", "10c"), ("professional", "10d"),
])
def test_para10_each_source_cites_its_sub_paragraph(profile, source, paragraph):
    g = guidance_for_child_concern(profile, source, None)
    (step,) = [s for s in g.steps if s.text.startswith("Inform the DSL now")]
    assert step.paragraph == paragraph


def test_para10d_told_by_another_professional_records_who_they_are(profile):
    g = next_steps(profile, Situation.TOLD_BY_PROFESSIONAL)
    assert any("name, role, organisation" in t for t in texts(g))
    assert any("Do not assume they" in t for t in texts(g))


def test_para10b_told_by_another_child(profile):
    g = next_steps(profile, "told_by_another_child")
    assert g.title == "Another child has told you something"
    assert any("what the other child said, in their words" in t for t in texts(g))


def test_para11_share_even_if_minor(profile):
    (step,) = step_for(next_steps(profile, "noticed"), "11")
    assert "Even if you think it is minor" in step.text


def test_para11c_deputy_then_headteacher_then_refer_yourself_as_fallbacks(profile):
    g = next_steps(profile, "noticed")
    fallbacks = [s for s in g.steps if s.paragraph == "11c"]
    assert [s.contact.role for s in fallbacks] == ["deputy_dsl", "headteacher", "local_authority"]
    assert "Mr B. Jones" in fallbacks[0].text and "Ms C. Patel" in fallbacks[0].text
    assert fallbacks[2].contact.name == "Customer First"


def test_para11d_record_the_childs_own_words_and_why(profile):
    steps = step_for(next_steps(profile, "disclosure"), "11d")
    assert "the child's own words, not your interpretation" in steps[0].text
    assert "This form is your written record" in steps[0].text
    assert "why it is a cause for concern" in steps[1].text


ALL_CHILD_SITUATIONS = [
    dict(source=s, category=c, dsl_available=a)
    for s in (None, "child_told", "parent_told", "other_child_told", "noticed", "professional")
    for c in (None, "online_safety", "fgm_honour_based", "radicalisation")
    for a in (True, False)
]


@pytest.mark.parametrize("kw", ALL_CHILD_SITUATIONS)
def test_para11d_the_console_is_the_written_record_never_cpoms_or_a_paper_form(profile, kw):
    g = guidance_for_child_concern(profile, kw["source"], kw["category"], kw["dsl_available"])
    for step in g.steps:
        assert "CPOMS" not in step.text and "recording form" not in step.text, step
    assert any("This form is your written record" in t for t in texts(g))


def test_para11d_adult_concern_pane_calls_the_form_the_written_record(profile):
    g = next_steps(profile, "adult_concern")
    assert not any("sign and date" in t or "CPOMS" in t for t in texts(g))
    assert any("This form is your written record" in t for t in texts(g))


# --- 11a against 11b: a parent raised the concern ---------------------------------------------------


def test_para11a_parent_may_increase_risk_warning_first_and_never_tell_the_parent(profile):
    g = guidance_for_child_concern(profile, "parent_told", None, parent_risk=True)
    assert g.steps[0].paragraph == "KCSIE"  # 999 stays first
    assert g.steps[1].paragraph == "11a" and "may increase the risk" in g.steps[1].text
    assert "11b" not in g.paragraphs
    for step in g.steps:
        assert "tell the parent" not in step.text.lower(), step
        assert "your child safe" not in step.text, step


def test_para11a_parent_risk_holds_when_nobody_is_reachable_and_with_categories(profile):
    for available in (True, False):
        g = guidance_for_child_concern(profile, "parent_told", ["neglect", "online_safety"],
                                       available, parent_risk=True)
        assert "11b" not in g.paragraphs
        assert g.steps[1].paragraph == "11a"


def test_para11b_parent_not_at_risk_is_told_in_words_for_a_parent(profile):
    g = guidance_for_child_concern(profile, "parent_told", None, parent_risk=False)
    (step,) = step_for(g, "11b")
    assert step.text.startswith("Tell the parent what you will do next")
    assert "how to keep your child safe" in step.text
    assert "keep you safe" not in step.text


def test_para11b_parent_question_unanswered_is_asked_first(profile):
    g = guidance_for_child_concern(profile, "parent_told", None)
    first_11a = step_for(g, "11a")[0]
    assert "could talking to the parent increase the risk" in first_11a.text
    (step,) = step_for(g, "11b")
    assert step.text.startswith("If it is safe to talk to them, tell the parent")
    assert index_of(g, "could talking to the parent") < index_of(g, "If it is safe to talk")


def test_para11b_wording_fits_who_is_told(profile):
    child = step_for(guidance_for_child_concern(profile, "child_told", None), "11b")[0]
    assert "how to keep you safe" in child.text
    witness = step_for(guidance_for_child_concern(profile, "other_child_told", None), "11b")[0]
    assert "Tell the child who told you" in witness.text
    assert "keep you safe" not in witness.text


# --- every ticked category feeds the pane ------------------------------------------------------------


def test_every_ticked_category_feeds_the_pane(profile):
    # Online safety ticked after child-on-child: the indecent-image steps must still show.
    g = guidance_for_child_concern(profile, "other_child_told", ["child_on_child", "online_safety"])
    assert {"7", "8", "9"} <= set(g.paragraphs)
    assert any("nude or semi-nude image" in t for t in texts(g))
    g = guidance_for_child_concern(profile, "child_told",
                                   ["neglect", "radicalisation", "fgm_honour_based"])
    assert any("Prevent" in t for t in texts(g))
    assert any(s.contact and s.contact.phone == "101" for s in g.steps)
    assert "Neglect" in g.title and "Radicalisation" in g.title


# --- refer it yourself: nobody in school reachable ---------------------------------------------------


@pytest.mark.parametrize("source", [None, "child_told", "parent_told", "other_child_told",
                                    "noticed", "professional"])
@pytest.mark.parametrize("cats", [(), ("online_safety", "radicalisation", "fgm_honour_based",
                                       "child_on_child")])
def test_para11c_refer_it_yourself_never_tells_staff_to_tell_the_dsl(profile, source, cats):
    import re

    g = next_steps(profile, "dsl_unavailable", source=source, category=cats, available=set())
    assert "you must make the referral yourself" in step_for(g, "11c")[0].text
    for step in g.steps:
        assert not re.search(r"\b(tell|telling|inform|hand it to|report it to)\b[^.]*\bthe DSL\b",
                             step.text, re.I), step
        assert not (step.contact and step.contact.role == "dsl"), step


def test_para11c_dsl_unavailable_informs_a_deputy(profile):
    g = next_steps(profile, "dsl_unavailable")
    assert g.title == "The DSL is not available"
    (first,) = [s for s in g.steps if s.text.startswith("The DSL is not available: inform a deputy")]
    assert first.contact.role == "deputy_dsl"
    assert not any(s.contact and s.contact.role == "dsl" and "Inform" in s.text for s in g.steps)


def test_para11c_nobody_available_make_the_referral_yourself(profile):
    g = next_steps(profile, "dsl_unavailable", available=set())
    first_11c = step_for(g, "11c")[0]
    assert "you must make the referral yourself" in first_11c.text
    assert first_11c.contact.name == "Customer First"
    assert step_for(g, "21")[0].contact.url.startswith("https://earlyhelpportal")
    assert step_for(g, "20")[0].contact.name == "Professional Consultation Line"


def test_para12_direct_referral_is_always_offered(profile):
    (step,) = step_for(next_steps(profile, "disclosure"), "12")
    assert "report it directly to the local authority" in step.text
    assert step.contact.phone == "0808 800 4005"


def test_immediate_danger_comes_first_and_rings_999(profile):
    g = next_steps(profile, "disclosure")
    assert g.steps[0].contact.phone == "999"
    assert g.steps[0].paragraph == "KCSIE"


# --- categories (7, 8, 9) ------------------------------------------------------------------------------


def test_para7_child_on_child_abuse_is_never_banter(profile):
    g = guidance_for_child_concern(profile, "other_child_told", "child_on_child")
    (step,) = step_for(g, "7")
    assert "never 'banter'" in step.text
    assert g.title.endswith("Child-on-child abuse (including sexual violence and sexual harassment)")


def test_para7_radicalisation_mentions_prevent(profile):
    (step,) = step_for(guidance_for_child_concern(profile, "noticed", "radicalisation"), "7")
    assert "Prevent" in step.text
    assert step.contact.role == "dsl"


def test_para8_9_online_safety_steps(profile):
    g = next_steps(profile, "online_safety")
    assert g.title == "An online-safety concern"
    assert "8" in g.paragraphs and "9" in g.paragraphs
    assert any("do not look at it" in t for t in texts(g))
    assert any("locked lockers" in t for t in texts(g))


def test_para8_9_online_safety_category_on_the_concern_form(profile):
    g = guidance_for_child_concern(profile, "child_told", "online_safety")
    assert {"8", "9"} <= set(g.paragraphs)


def test_online_safety_situation_keeps_another_category(profile):
    g = next_steps(profile, "online_safety", category="child_on_child")
    assert {"7", "8", "9"} <= set(g.paragraphs)


def test_fgm_mandatory_reporting_duty_rings_101(profile):
    g = guidance_for_child_concern(profile, "child_told", "fgm_honour_based")
    assert any(s.contact and s.contact.phone == "101" for s in g.steps)


def test_category_without_extra_steps_still_gets_the_common_steps(profile):
    g = guidance_for_child_concern(profile, "noticed", "neglect")
    assert g.title == "You have noticed something about a child: Neglect"
    assert "7" not in g.paragraphs and "8" not in g.paragraphs


def test_unknown_category_source_or_situation_is_refused(profile):
    with pytest.raises(ValueError, match="unknown category"):
        guidance_for_child_concern(profile, "noticed", "bruises")
    with pytest.raises(ValueError, match="unknown source"):
        guidance_for_child_concern(profile, "overheard", None)
    with pytest.raises(ValueError, match="unknown situation"):
        next_steps(profile, "panic")


# --- adults (14-16) -------------------------------------------------------------------------------------


def test_para14_adult_concern_lists_the_four_tests_and_goes_to_the_headteacher(profile):
    g = next_steps(profile, "adult_concern")
    tests_step = step_for(g, "14")[0]
    for words in ("harmed, or may have harmed", "criminal offence", "risk of harm",
                  "not be suitable to work with children"):
        assert words in tests_step.text
    refer = [s for s in g.steps if s.text.startswith("Refer it without delay")][0]
    assert refer.contact.name == profile.headteacher.name
    assert any("LADO within one working day" in t for t in texts(g))


def test_para14_adult_concern_about_headteacher_names_the_director(profile):
    g = next_steps(profile, "adult_concern", subject=AdultSubject(is_headteacher=True))
    refer = [s for s in g.steps if s.text.startswith("Refer it without delay")][0]
    assert refer.contact.name == profile.director_of_education.name
    assert not any(s.contact and s.contact.role == "headteacher" for s in g.steps)


def test_para14_escalation_to_trust_lead_is_offered(profile):
    g = next_steps(profile, "adult_concern")
    assert any(s.contact and s.contact.email == "swatts@unitysp.co.uk" for s in step_for(g, "14"))


def test_para14_answers_below_threshold_give_low_level_steps(profile):
    g = next_steps(profile, "adult_concern", answers=HarmsAnswers())
    assert g.situation == "low_level_concern"


def test_para15_low_level_concern_goes_to_the_dsl_who_shares_with_the_head(profile):
    g = next_steps(profile, "low_level_concern")
    steps = step_for(g, "15")
    assert steps[0].contact.name == profile.dsl.name
    assert any("shares it with the headteacher" in s.text for s in steps)
    assert any("reasons for decisions" in s.text for s in steps)


def test_para15_low_level_concern_about_the_dsl_goes_to_the_head_who_shares_with_director(profile):
    g = next_steps(profile, "low_level_concern", subject=AdultSubject(is_dsl=True))
    steps = step_for(g, "15")
    assert steps[0].contact.name == profile.headteacher.name
    assert any("The headteacher shares it with the trust Director of Education" in s.text for s in steps)


def test_para16_low_level_does_not_mean_insignificant(profile):
    g = next_steps(profile, "low_level_concern")
    steps = step_for(g, "16")
    assert "does not mean insignificant" in steps[0].text
    assert "nagging doubt" in steps[0].text
    assert "over-friendly" in steps[1].text


# --- whistleblowing, escalation, early help, the procedures (3, 6, 17-19) --------------------------------


def test_para17_18_whistleblowing_steps(profile):
    g = next_steps(profile, "whistleblowing")
    assert [s.contact.role for s in step_for(g, "17") if s.contact] == ["headteacher", "chair_of_governors"]
    (nspcc,) = step_for(g, "18")
    assert "0800 028 0285" in nspcc.text and "help@nspcc.org.uk" in nspcc.text
    assert "08:00-20:00" in nspcc.text


def test_not_responded_goes_to_trust_lead_then_direct_referral(profile):
    g = next_steps(profile, "not_responded")
    assert g.steps[0].contact.role == "trust_safeguarding_lead"
    assert [s.paragraph for s in g.steps] == ["14", "12", "18"]


def test_para6_early_help_lists_offers_and_agencies(profile):
    g = next_steps(profile, "early_help")
    offer_steps = [s for s in g.steps if s.paragraph == "6" and s.contact is None]
    assert len(offer_steps) == len(profile.offers)
    assert any("1:1 pastoral support" in s.text and "internal referral" in s.text for s in offer_steps)
    agency_roles = [s.contact.role for s in g.steps if s.contact and s.contact.role.startswith("agency:")]
    assert agency_roles == [f"agency:{a.key}" for a in profile.agencies]


def test_para3_new_staff_sign_before_starting(profile):
    g = next_steps(profile, "new_staff")
    (sign,) = [s for s in step_for(g, "3")]
    assert "version 2021.1" in sign.text
    assert "before you start working" in sign.text


def test_para3_families_get_the_procedures_before_enrolment(profile):
    g = next_steps(profile, "enrolment")
    steps = step_for(g, "3")
    assert "before enrolment" in steps[0].text
    assert "might not be consulted before action is taken" in steps[1].text


def test_para19_copies_available(profile):
    (step,) = step_for(next_steps(profile, "enrolment"), "19")
    assert "staffroom" in step.text and "website" in step.text


def test_guidance_collects_contacts_and_paragraphs_without_duplicates(profile):
    g = next_steps(profile, "disclosure")
    assert len(g.contacts) == len(set(g.contacts))
    assert len(g.paragraphs) == len(set(g.paragraphs))
    # Every deputy is in the contacts, though a step shows only the first.
    names = {c.name for c in g.contacts}
    assert {p.name for p in profile.deputy_dsls} <= names
