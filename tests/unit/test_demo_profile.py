"""The demo's profile names the demo's accounts, so the rules pane and the console agree."""

from __future__ import annotations

from kiosk.config import load_settings
from kiosk.demo import DEMO_ACCOUNTS
from kiosk.demo.profile import demo_profile, install_demo_profile
from kiosk.rules import load_profile

PROFILE_ROLE = {
    "dsl": "dsl", "headteacher": "headteacher", "governor": "safeguarding_governor",
    "director_of_education": "director_of_education",
    "trust_safeguarding_lead": "trust_safeguarding_lead",
}


def test_every_demo_account_in_a_profile_role_has_the_same_name_in_the_demo_profile():
    profile = demo_profile()
    deputies = {p.name for p in profile.deputy_dsls}
    for _username, full_name, roles in DEMO_ACCOUNTS:
        assert "(" not in full_name  # no role in the name: the console adds it, once
        for role in roles:
            if role == "deputy_dsl":
                assert full_name in deputies
            elif role in PROFILE_ROLE:
                assert getattr(profile, PROFILE_ROLE[role]).name == full_name, role
    assert len(deputies) == sum(1 for *_, r in DEMO_ACCOUNTS if "deputy_dsl" in r)


def test_no_demo_contact_carries_another_persons_address():
    """Issue 12: "Mr Daniel Hart | b.jones@..." named a second person beside the first."""
    from kiosk.demo.profile import DEMO_CONTACT_NAMES

    profile = demo_profile()
    people = [profile.dsl, *profile.deputy_dsls, profile.safeguarding_governor,
              profile.headteacher, profile.director_of_education, profile.trust_safeguarding_lead]
    role_addresses = {"head", "director.education"}
    for person in people:
        assert person.name in DEMO_CONTACT_NAMES.values()
        local = person.email.split("@")[0]
        surname = person.name.split()[-1].lower()
        assert local in role_addresses or surname in local, (person.name, person.email)


def test_kiosk_demo_installs_its_profile_unless_the_data_dir_has_a_config(tmp_path):
    assert install_demo_profile(tmp_path)
    settings = load_settings(data_dir=tmp_path, env={})
    assert load_profile(settings.profile_path).headteacher.name == "Dr Helen Marsh"
    # A second run, or a person's own config, is left alone.
    (tmp_path / "config.toml").write_text("idle_timeout_seconds = 300\n")
    assert not install_demo_profile(tmp_path)
    assert load_settings(data_dir=tmp_path, env={}).profile_path is None
