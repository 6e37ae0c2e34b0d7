"""The role-to-capability table: the whole matrix, pinned, and its invariants."""

from __future__ import annotations

import pytest

from kiosk.capabilities import CAPABILITIES, CASE_RECORD_CAPS, Cap, Role, capabilities_for

C = Cap
# Expected matrix: every role x every capability. Changing the table means changing this.
EXPECTED = {
    Role.STAFF: {C.PROCEDURES_SIGN, C.CONCERN_RECORD, C.CONCERN_VIEW_OWN, C.ADULT_RAISE,
                 C.WHISTLEBLOW_VIEW, C.CONTACTS_VIEW, C.PUPIL_SEARCH, C.EARLY_HELP_REFER},
    Role.GOVERNOR: {C.PROCEDURES_SIGN, C.CONCERN_RECORD, C.CONCERN_VIEW_OWN, C.ADULT_RAISE,
                    C.WHISTLEBLOW_VIEW, C.CONTACTS_VIEW, C.STATS_VIEW, C.EXPORT_REPORT},
    Role.ADMIN: {C.PROCEDURES_SIGN, C.CONCERN_RECORD, C.CONCERN_VIEW_OWN, C.ADULT_RAISE,
                 C.WHISTLEBLOW_VIEW, C.CONTACTS_VIEW, C.ACCOUNTS_MANAGE, C.SETTINGS_MANAGE,
                 C.PUPIL_MANAGE, C.SIGNOFF_STATUS, C.AUDIT_VIEW, C.APP_EXIT, C.APP_SCREENSHOT},
    Role.DIRECTOR_OF_EDUCATION: {C.PROCEDURES_SIGN, C.CONCERN_RECORD, C.CONCERN_VIEW_OWN,
                                 C.ADULT_RAISE, C.WHISTLEBLOW_VIEW, C.CONTACTS_VIEW,
                                 C.ADULT_RECEIVE_ALLEGATION, C.ADULT_RECEIVE_LOW_LEVEL},
    Role.TRUST_SAFEGUARDING_LEAD: {C.PROCEDURES_SIGN, C.CONCERN_RECORD, C.CONCERN_VIEW_OWN,
                                   C.ADULT_RAISE, C.WHISTLEBLOW_VIEW, C.CONTACTS_VIEW,
                                   C.ADULT_RECEIVE_LOW_LEVEL},
}
_EVERYONE = {C.PROCEDURES_SIGN, C.CONCERN_RECORD, C.CONCERN_VIEW_OWN, C.ADULT_RAISE,
             C.WHISTLEBLOW_VIEW, C.CONTACTS_VIEW}
EXPECTED[Role.PASTORAL] = _EVERYONE | {C.PUPIL_SEARCH, C.CONCERN_VIEW_SHARED, C.EARLY_HELP_VIEW,
                                       C.EARLY_HELP_MANAGE, C.EARLY_HELP_REFER, C.EARLY_HELP_OFFERS}
EXPECTED[Role.DSL] = _EVERYONE | {
    C.PUPIL_SEARCH, C.PUPIL_MANAGE, C.PUPIL_FLAGS_EDIT, C.CONCERN_ALERTS, C.CONCERN_VIEW_ALL,
    C.CONCERN_TRIAGE, C.CONCERN_RESTRICT, C.CONCERN_SHARE, C.CHRONOLOGY_VIEW,
    C.CATEGORIES_MANAGE, C.EARLY_HELP_VIEW, C.EARLY_HELP_MANAGE, C.EARLY_HELP_REFER,
    C.EARLY_HELP_OFFERS, C.ADULT_RECEIVE_LOW_LEVEL, C.SIGNOFF_STATUS, C.STATS_VIEW,
    C.EXPORT_TRANSFER, C.EXPORT_CHRONOLOGY, C.EXPORT_REPORT}
EXPECTED[Role.DEPUTY_DSL] = EXPECTED[Role.DSL] - {C.CATEGORIES_MANAGE}
EXPECTED[Role.HEADTEACHER] = _EVERYONE | {
    C.PUPIL_SEARCH, C.CONCERN_VIEW_ALL, C.CHRONOLOGY_VIEW, C.CATEGORIES_MANAGE,
    C.EARLY_HELP_VIEW, C.EARLY_HELP_REFER, C.ADULT_RECEIVE_ALLEGATION,
    C.ADULT_RECEIVE_LOW_LEVEL, C.ADULT_REGISTER, C.SIGNOFF_STATUS, C.STATS_VIEW, C.AUDIT_VIEW}


def test_matrix_covers_every_role():
    assert set(EXPECTED) == set(Role) == set(CAPABILITIES)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("cap", list(Cap))
def test_matrix_cell(role, cap):
    # Every cell is pinned: a change to the table must be a deliberate change here too.
    assert (cap in CAPABILITIES[role]) == (cap in EXPECTED[role])


def test_admin_cannot_read_case_records():
    assert not (CAPABILITIES[Role.ADMIN] & CASE_RECORD_CAPS)


def test_governor_sees_statistics_only():
    assert not (CAPABILITIES[Role.GOVERNOR] & CASE_RECORD_CAPS)
    assert Cap.STATS_VIEW in CAPABILITIES[Role.GOVERNOR]


def test_only_dsl_team_triages_and_receives_child_alerts():
    for role in Role:
        has = Cap.CONCERN_TRIAGE in CAPABILITIES[role]
        assert has == (role in (Role.DSL, Role.DEPUTY_DSL))
        assert (Cap.CONCERN_ALERTS in CAPABILITIES[role]) == has


def test_everyone_can_share_a_concern_paragraph_11():
    for role in Role:
        assert Cap.CONCERN_RECORD in CAPABILITIES[role]
        assert Cap.ADULT_RAISE in CAPABILITIES[role]


def test_leaving_the_program_needs_admin():
    assert [r for r in Role if Cap.APP_EXIT in CAPABILITIES[r]] == [Role.ADMIN]


def test_several_roles_combine():
    caps = capabilities_for(["staff", "pastoral"])
    assert Cap.EARLY_HELP_MANAGE in caps and Cap.CONCERN_VIEW_ALL not in caps


def test_exports_are_the_dsl_teams_and_the_report_also_the_governors():
    for role in Role:
        caps = CAPABILITIES[role]
        team = role in (Role.DSL, Role.DEPUTY_DSL)
        assert (Cap.EXPORT_TRANSFER in caps) == team
        assert (Cap.EXPORT_CHRONOLOGY in caps) == team
        assert (Cap.EXPORT_REPORT in caps) == (team or role is Role.GOVERNOR)
    assert {Cap.EXPORT_TRANSFER, Cap.EXPORT_CHRONOLOGY} <= CASE_RECORD_CAPS
    assert Cap.EXPORT_REPORT not in CASE_RECORD_CAPS
