"""The school profile: the packaged default, and refusal of anything half-valid."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.rules import (
    DEFAULT_PROFILE_PATH,
    ProfileError,
    all_contacts,
    load_profile,
)
from kiosk.rules.profile import is_uk_phone

from .conftest import DEFAULT_TEXT, build, replace_once, write_profile


# --- the default profile -------------------------------------------------------------------------


def test_default_profile_is_the_school_in_the_procedures(profile):
    assert profile.school_name == "Westley Middle School"
    assert profile.trust_name == "Unity Schools Partnership"
    assert profile.local_authority_name == "Suffolk"
    assert profile.source == DEFAULT_PROFILE_PATH


def test_load_profile_none_and_default_path_agree():
    assert load_profile(None) == load_profile(DEFAULT_PROFILE_PATH)


def test_para13_default_profile_names_every_role(profile):
    # 13: DSL, deputies, designated teacher, safeguarding governor, headteacher, chair and
    # Director of Education; 14: the trust lead on safeguarding.
    people = profile.people
    assert set(people) == {
        "dsl", "deputy_dsls", "designated_teacher", "safeguarding_governor", "headteacher",
        "chair_of_governors", "director_of_education", "trust_safeguarding_lead",
    }
    assert len(profile.deputy_dsls) == 2
    assert profile.dsl.name == "Mrs A. Smith"  # the "Mrs Smith" of paragraph 11b
    assert profile.designated_teacher.role_title.startswith("Designated Teacher for looked-after")


def test_para14_trust_lead_email_is_the_one_in_the_procedures(profile):
    assert profile.trust_safeguarding_lead.email == "swatts@unitysp.co.uk"


def test_para18_nspcc_line_hours_and_email(profile):
    assert profile.nspcc.phone.replace(" ", "") == "08000280285"
    assert profile.nspcc.hours == "08:00-20:00, Monday to Friday"
    assert profile.nspcc.email == "help@nspcc.org.uk"


def test_para20_professional_consultation_line(profile):
    line = profile.local_authority.consultation_line
    assert line.name == "Professional Consultation Line"
    assert line.phone.replace(" ", "") == "03456061499"


def test_para21_customer_first_and_early_help_portal(profile):
    la = profile.local_authority
    assert la.referral_line.name == "Customer First"
    assert la.referral_line.phone.replace(" ", "") == "08088004005"
    assert la.early_help_portal.url == "https://earlyhelpportal.suffolk.gov.uk/web/portal/pages/home"


def test_para6_early_help_offer_has_the_six_offers_of_the_procedures(profile):
    offers = {o.key: o for o in profile.offers}
    assert list(offers) == [
        "pupil_drop_in", "vulnerable_lunch_club", "young_carers_drop_in",
        "pmhw_parent_workshops", "pastoral_one_to_one", "targeted_group_work",
    ]
    assert offers["pupil_drop_in"].frequency == "weekly"
    assert offers["young_carers_drop_in"].frequency == "monthly"
    assert offers["pmhw_parent_workshops"].kind == "workshop"
    assert offers["pastoral_one_to_one"].access == "internal referral"
    assert all(o.name for o in profile.offers)


def test_para6_outside_agencies_of_the_procedures(profile):
    assert [a.key for a in profile.agencies] == [
        "childrens_services", "parenting_support", "wellbeing", "diversion_programme",
        "school_nursing",
    ]
    assert profile.agency("childrens_services").response_days == 1
    assert all(a.response_days >= 1 for a in profile.agencies)


def test_default_categories_cover_kcsie(profile):
    assert profile.category_keys == (
        "physical_abuse", "emotional_abuse", "sexual_abuse", "neglect", "child_on_child",
        "online_safety", "radicalisation", "exploitation", "domestic_abuse", "fgm_honour_based",
        "mental_health", "missing_education", "other",
    )


def test_para19_default_review_dates_are_at_most_a_year_apart(profile):
    assert profile.procedures_version == "2021.1"
    assert profile.last_review == date(2026, 9, 1)
    assert profile.next_review == date(2027, 9, 1)


def test_default_term_dates_are_academic_year_2026_27(profile):
    assert profile.terms[0].start == date(2026, 9, 2)
    assert profile.terms[-1].end == date(2027, 7, 21)
    assert len(profile.terms) == 6
    assert all(t.start.weekday() < 5 and t.end.weekday() < 5 for t in profile.terms)


def test_default_placeholders_are_flagged_and_undeliverable(profile):
    # Invented people must not reach a real phone or mailbox: Ofcom drama numbers, .example.
    assert "dsl" in profile.placeholder_roles
    assert "headteacher" in profile.placeholder_roles
    for c in all_contacts(profile):
        if c.placeholder and c.phone:
            assert c.phone.startswith("01632 960"), c
        if c.placeholder and c.email and c.email != "swatts@unitysp.co.uk":
            assert c.email.endswith(".example"), c


def test_para13_all_contacts_lists_every_number_and_address(profile):
    contacts = all_contacts(profile)
    phones = {c.phone.replace(" ", "") for c in contacts if c.phone}
    assert {"03456061499", "08088004005", "08000280285"} <= phones
    assert profile.dsl.phone.replace(" ", "") in phones
    assert all(p.phone.replace(" ", "") in phones for p in profile.deputy_dsls)
    assert "swatts@unitysp.co.uk" in {c.email for c in contacts}
    assert any(c.url and "earlyhelpportal" in c.url for c in contacts)
    roles = [c.role for c in contacts]
    assert roles[:4] == ["dsl", "deputy_dsl", "deputy_dsl", "designated_teacher"]
    assert "agency:school_nursing" in roles


# --- refusing bad profiles -----------------------------------------------------------------------


def test_missing_phone_number_is_refused_with_the_key_named(tmp_path):
    text = replace_once(DEFAULT_TEXT, 'phone = "01632 960101"\n', "")
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert f"{path}: contacts.dsl.phone: missing" in str(err.value)
    assert err.value.key == "contacts.dsl.phone"


def test_malformed_date_in_quotes_is_refused_with_the_key_named(tmp_path):
    text = replace_once(DEFAULT_TEXT, 'last_review = "2026-09-01"', 'last_review = "2026-13-01"')
    with pytest.raises(ProfileError) as err:
        load_profile(write_profile(tmp_path, text))
    assert "procedures.last_review: '2026-13-01' is not a date" in str(err.value)


def test_malformed_bare_date_is_refused_naming_the_line_and_key(tmp_path):
    # Unquoted, TOML itself rejects it; the message still names the key.
    text = replace_once(DEFAULT_TEXT, 'last_review = "2026-09-01"', "last_review = 2026-13-01")
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert str(path) in str(err.value)
    assert "(last_review)" in str(err.value)


def test_date_written_in_british_order_is_refused(default_data):
    default_data["procedures"]["next_review"] = "01/09/2027"
    with pytest.raises(ProfileError, match=r"procedures\.next_review: '01/09/2027' is not a date"):
        build(default_data)


def test_unknown_role_is_refused_with_a_suggestion(tmp_path):
    text = replace_once(DEFAULT_TEXT, "[contacts.safeguarding_governor]", "[contacts.safeguarding_govenor]")
    with pytest.raises(ProfileError) as err:
        load_profile(write_profile(tmp_path, text))
    msg = str(err.value)
    assert "contacts.safeguarding_govenor: unknown key (did you mean 'safeguarding_governor'?)" in msg
    assert "contacts.safeguarding_governor: missing" in msg


def test_unknown_key_typo_is_refused(default_data):
    default_data["contacts"]["headteacher"]["phnoe"] = default_data["contacts"]["headteacher"].pop("phone")
    with pytest.raises(ProfileError) as err:
        build(default_data)
    assert "contacts.headteacher.phnoe: unknown key (did you mean 'phone'?)" in str(err.value)
    assert "contacts.headteacher.phone: missing" in str(err.value)


def test_unnamed_offer_is_refused_with_the_key_named(tmp_path):
    text = replace_once(DEFAULT_TEXT, 'name = "Young carers drop-in"\n', "")
    with pytest.raises(ProfileError) as err:
        load_profile(write_profile(tmp_path, text))
    assert "early_help.offers[young_carers_drop_in].name: missing" in str(err.value)


def test_offer_with_empty_name_is_refused(default_data):
    default_data["early_help"]["offers"][0]["name"] = "   "
    with pytest.raises(ProfileError, match=r"early_help\.offers\[pupil_drop_in\]\.name: empty"):
        build(default_data)


def test_offer_without_a_key_is_named_by_position(default_data):
    del default_data["early_help"]["offers"][2]["key"]
    with pytest.raises(ProfileError, match=r"early_help\.offers\[#3\]\.key: missing"):
        build(default_data)


def test_duplicate_offer_key_is_refused(default_data):
    default_data["early_help"]["offers"][1]["key"] = "pupil_drop_in"
    with pytest.raises(ProfileError, match=r"duplicate offer key 'pupil_drop_in'"):
        build(default_data)


def test_duplicate_agency_key_is_refused(default_data):
    default_data["early_help"]["agencies"][2]["key"] = "wellbeing"
    default_data["early_help"]["agencies"][3]["key"] = "wellbeing"
    with pytest.raises(ProfileError, match=r"early_help\.agencies\[wellbeing\]\.key: duplicate agency key"):
        build(default_data)


def test_unknown_offer_kind_is_refused(default_data):
    default_data["early_help"]["offers"][0]["kind"] = "dropin"
    with pytest.raises(ProfileError, match=r"offers\[pupil_drop_in\]\.kind: 'dropin' is not one of"):
        build(default_data)


def test_agency_response_days_must_be_a_whole_number_in_range(default_data):
    default_data["early_help"]["agencies"][0]["response_days"] = 0
    with pytest.raises(ProfileError, match=r"agencies\[childrens_services\]\.response_days: 0 is out of range"):
        build(default_data)
    default_data["early_help"]["agencies"][0]["response_days"] = True
    with pytest.raises(ProfileError, match=r"response_days: expected a whole number"):
        build(default_data)


def test_phone_number_that_is_not_a_uk_number_is_refused(default_data):
    default_data["contacts"]["dsl"]["phone"] = "ring the office"
    with pytest.raises(ProfileError, match=r"contacts\.dsl\.phone: 'ring the office' does not look like a UK phone"):
        build(default_data)


def test_bad_email_is_refused(default_data):
    default_data["nspcc"]["email"] = "help at nspcc"
    with pytest.raises(ProfileError, match=r"nspcc\.email: 'help at nspcc' does not look like an email"):
        build(default_data)


def test_bad_portal_url_is_refused(default_data):
    default_data["local_authority"]["early_help_portal"]["url"] = "earlyhelpportal"
    with pytest.raises(ProfileError, match=r"local_authority\.early_help_portal\.url:"):
        build(default_data)


def test_missing_deputy_phone_names_the_deputy(default_data):
    del default_data["contacts"]["deputy_dsls"][1]["phone"]
    with pytest.raises(ProfileError, match=r"contacts\.deputy_dsls\[#2\]\.phone: missing"):
        build(default_data)


def test_control_characters_in_a_name_are_refused(default_data):
    default_data["contacts"]["dsl"]["name"] = "Mrs \x1b]0;Smith"
    with pytest.raises(ProfileError, match=r"contacts\.dsl\.name: contains control characters"):
        build(default_data)


def test_para19_next_review_more_than_a_year_after_last_is_refused(default_data):
    default_data["procedures"]["next_review"] = "2027-09-02"
    with pytest.raises(ProfileError, match=r"procedures\.next_review: more than a year after last_review"):
        build(default_data)


def test_next_review_before_last_review_is_refused(default_data):
    default_data["procedures"]["next_review"] = "2026-08-01"
    with pytest.raises(ProfileError, match=r"procedures\.next_review: must be after"):
        build(default_data)


def test_overlapping_terms_are_refused(default_data):
    default_data["calendar"]["terms"][1] = ["2026-10-20", "2026-12-18"]
    with pytest.raises(ProfileError, match=r"calendar\.terms\[#2\]: starts before the previous term ends"):
        build(default_data)


def test_term_with_bad_end_date_is_refused(default_data):
    default_data["calendar"]["terms"][0] = ["2026-09-02", "2026-10-32"]
    with pytest.raises(ProfileError, match=r"calendar\.terms\[#1\]\.end: '2026-10-32' is not a date"):
        build(default_data)


def test_every_problem_is_reported_at_once(default_data):
    del default_data["contacts"]["dsl"]["phone"]
    default_data["procedures"]["last_review"] = "soon"
    del default_data["early_help"]["offers"][0]["name"]
    with pytest.raises(ProfileError) as err:
        build(default_data)
    keys = [k for k, _ in err.value.problems]
    assert keys == ["procedures.last_review", "contacts.dsl.phone", "early_help.offers[pupil_drop_in].name"]


def test_missing_table_is_reported_once_not_per_key(default_data):
    del default_data["local_authority"]
    with pytest.raises(ProfileError) as err:
        build(default_data)
    assert [k for k, _ in err.value.problems] == ["local_authority"]


def test_missing_file_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(ProfileError, match=r"nope\.toml: cannot read the file"):
        load_profile(path)


def test_optional_lado_line_is_used_when_given(default_data):
    default_data["local_authority"]["lado"] = {"name": "Suffolk LADO", "phone": "01632 960999"}
    p = build(default_data)
    assert p.local_authority.lado.name == "Suffolk LADO"
    assert any(c.name == "Suffolk LADO" for c in all_contacts(p))


def test_profile_without_deputies_or_terms_loads(default_data):
    del default_data["contacts"]["deputy_dsls"]
    del default_data["calendar"]
    p = build(default_data)
    assert p.deputy_dsls == ()
    assert p.terms == ()


@pytest.mark.parametrize("number", [
    "01284 763111", "0345 606 1499", "03456061499", "0800 028 0285", "0800 1111",
    "+44 1284 763111", "+441284763111", "07700 900123", "999", "101",
])
def test_uk_phone_numbers_accepted(number):
    assert is_uk_phone(number)


@pytest.mark.parametrize("number", [
    "", "1284 763111", "(01284) 763111", "01284-763111", "+33 1 23 45 67 89", "0044 1284 763111",
    "+44 01284 763111", "012", "0128476311122", "ext 23",
])
def test_non_uk_phone_numbers_refused(number):
    assert not is_uk_phone(number)


@pytest.mark.parametrize("char", ["\u202a", "\u202e", "\u2066", "\u2069", "\x1b", "\x85"])
def test_bidi_overrides_and_control_characters_are_refused(default_data, char):
    # "\u202e" would show "01632 960100" as another number on screen than the one stored.
    default_data["contacts"]["dsl"]["name"] = f"Ms A{char}Smith"
    with pytest.raises(ProfileError, match=r"contacts\.dsl\.name: contains control characters"):
        build(default_data)


def test_profile_text_has_the_same_length_limit_as_other_text(default_data):
    from kiosk.text import SHORT_MAX

    default_data["contacts"]["dsl"]["name"] = "A" * SHORT_MAX
    build(default_data)
    default_data["contacts"]["dsl"]["name"] = "A" * (SHORT_MAX + 1)
    with pytest.raises(ProfileError, match=r"contacts\.dsl\.name: too long \(201 characters; at most 200\)"):
        build(default_data)


def test_profile_and_kiosk_text_refuse_the_same_characters():
    from kiosk.rules.profile import LONG_MAX, SHORT_MAX, has_control_chars
    from kiosk import text

    assert (SHORT_MAX, LONG_MAX) == (text.SHORT_MAX, text.LONG_MAX)
    for code in range(0x3000):
        ch = chr(code)
        assert has_control_chars(ch) == text.has_control_chars(ch), hex(code)
