"""The procedures text: packaged copy, split into the 21 numbered paragraphs."""

from __future__ import annotations

from kiosk.rules import load_procedures_text, next_steps, paragraph, parse_procedures
from kiosk.rules.procedures import PACKAGED_PROCEDURES

from .conftest import DEFAULT_TEXT, replace_once


def test_packaged_procedures_have_21_paragraphs_in_order(profile):
    paragraphs = load_procedures_text(profile)
    assert [p.number for p in paragraphs] == list(range(1, 22))


def test_paragraph_headings_are_the_sections_of_the_document(profile):
    paragraphs = load_procedures_text(profile)
    assert paragraph(paragraphs, "10").heading == "How to respond"
    assert paragraph(paragraphs, "14").heading == "Concerns about another adult in the school"
    assert paragraph(paragraphs, "17").heading == "Whistleblowing"


def test_para14_keeps_its_closing_escalation_sentence(profile):
    # The sentence is unnumbered and short enough to look like a heading; it must stay in 14.
    p14 = paragraph(load_procedures_text(profile), "14")
    assert p14.text.endswith("Trust Lead on Safeguarding (swatts@unitysp.co.uk)")
    assert paragraph(load_procedures_text(profile), "15").heading.startswith("Concerns about another adult")


def test_para6_and_9_keep_their_unnumbered_lines(profile):
    paragraphs = load_procedures_text(profile)
    assert "Targeted group work" in paragraph(paragraphs, "6").text
    assert "locked locker" in paragraph(paragraphs, "9").text


def test_sub_paragraph_references_find_their_paragraph(profile):
    paragraphs = load_procedures_text(profile)
    assert paragraph(paragraphs, "11a").number == 11
    assert paragraph(paragraphs, "KCSIE") is None


def test_every_step_paragraph_is_in_the_procedures_or_marked_kcsie(profile):
    paragraphs = load_procedures_text(profile)
    for situation in ("disclosure", "noticed", "adult_concern", "low_level_concern",
                      "whistleblowing", "early_help", "new_staff", "enrolment", "online_safety"):
        for step in next_steps(profile, situation).steps:
            assert step.paragraph == "KCSIE" or paragraph(paragraphs, step.paragraph), step


def test_profile_may_name_its_own_procedures_file(tmp_path):
    (tmp_path / "ours.txt").write_text("Aim\n1. First.\nSecond heading\n2. Second.\n", encoding="utf-8")
    text = replace_once(DEFAULT_TEXT, '# file = "child-protection-procedures.txt"', 'file = "ours.txt"')
    path = tmp_path / "school.toml"
    path.write_text(text, encoding="utf-8")
    from kiosk.rules import load_profile

    p = load_profile(path)
    assert p.procedures_file == tmp_path / "ours.txt"
    assert [(x.number, x.heading, x.text) for x in load_procedures_text(p)] == [
        (1, "Aim", "First."), (2, "Second heading", "Second."),
    ]


def test_default_profile_uses_the_packaged_copy(profile):
    assert profile.procedures_file is None
    assert load_procedures_text(profile) == parse_procedures(PACKAGED_PROCEDURES.read_text("utf-8"))
    assert load_procedures_text(None) == load_procedures_text(profile)
