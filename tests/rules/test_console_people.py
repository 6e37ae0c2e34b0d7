"""The profile's people and the console's accounts: one person per role (issue 12).

A real school's profile may still name last year's headteacher ("Mr F. Taylor") while the
console's headteacher account is "Dr Helen Marsh". The account is who a concern reaches, so
``with_console_people`` names the role as the account and keeps the profile's number, marked.
"""

from __future__ import annotations

from kiosk.rules import contacts as rc
from kiosk.rules import next_steps
from kiosk.rules.routing import AdultSubject, HarmsAnswers, route_adult_concern

HOLDERS = {
    "dsl": ["Mrs Alison Smith"],
    "deputy_dsl": ["Mr Daniel Hart (deputy DSL)", "Ms Rosa Quinn"],
    "headteacher": ["Dr Helen Marsh"],
}


def test_the_packaged_profile_and_these_accounts_differ(profile):
    # The premise of the tests below: without the merge the pane would name two people.
    assert profile.headteacher.name == "Mr F. Taylor"
    assert profile.dsl.name == "Mrs A. Smith"
    assert {p.name for p in profile.deputy_dsls} == {"Mr B. Jones", "Ms C. Patel"}


def test_the_account_names_the_role_and_the_profile_keeps_the_number(profile):
    shown = rc.with_console_people(profile, HOLDERS)
    head = shown.headteacher
    assert head.name == "Dr Helen Marsh"
    assert head.phone == profile.headteacher.phone
    assert rc.STALE_NUMBER_NOTE in head.role_title  # written for someone else: say so
    # "Mrs A. Smith" in the profile is the account "Mrs Alison Smith": same person, no note.
    assert shown.dsl.name == "Mrs Alison Smith"
    assert shown.dsl.role_title == profile.dsl.role_title
    # Deputies: account names (without their typed label), each with a profile number.
    assert [p.name for p in shown.deputy_dsls] == ["Mr Daniel Hart", "Ms Rosa Quinn"]
    assert all(p.phone for p in shown.deputy_dsls)
    # Roles no account holds keep the profile's person.
    assert shown.chair_of_governors == profile.chair_of_governors
    assert shown.director_of_education == profile.director_of_education


def test_no_accounts_leave_the_profile_as_it_is(profile):
    assert rc.with_console_people(profile, {}) is profile


def test_a_deputy_beyond_the_profile_is_named_without_a_number(profile):
    names = ["Ann One", "Bob Two", "Cy Three"]
    shown = rc.with_console_people(profile, {"deputy_dsl": names})
    assert [p.name for p in shown.deputy_dsls] == names
    assert shown.deputy_dsls[2].phone == "" and rc.NO_NUMBER_NOTE in shown.deputy_dsls[2].role_title


def test_the_adult_concern_steps_name_one_headteacher(profile):
    shown = rc.with_console_people(profile, HOLDERS)
    subject = AdultSubject()
    answers = HarmsAnswers(harmed_child=True)
    routing = route_adult_concern(shown, subject, answers)
    assert routing.recipient == "headteacher"
    assert routing.contacts[0].name == "Dr Helen Marsh"
    guidance = next_steps(shown, "adult_concern", subject=subject, answers=answers)
    text = " ".join(s.text for s in guidance.steps) + " ".join(
        c.name for c in guidance.contacts)
    assert "Dr Helen Marsh" in text
    assert "Taylor" not in text
    # ...whereas the profile alone names the other headteacher.
    plain = next_steps(profile, "adult_concern", subject=subject, answers=answers)
    assert "Mr F. Taylor" in " ".join(s.text for s in plain.steps)


def test_same_person_and_plain_name():
    assert rc.same_person("Mrs A. Smith", "Mrs Alison Smith")
    assert rc.same_person("dr.  HELEN marsh", "Dr Helen Marsh (headteacher)")
    assert not rc.same_person("Mr F. Taylor", "Dr Helen Marsh")
    assert not rc.same_person("Mrs A. Smith", "Mr Brian Smith")
    assert not rc.same_person("Alison Smith", "Alice Smith")  # two full given names differ
    assert rc.plain_name("Mr Daniel Hart (deputy DSL)") == "Mr Daniel Hart"
    assert rc.plain_name("  Sam   Patel ") == "Sam Patel"
    assert rc.plain_name("(IT)") == "(IT)"  # never empty
