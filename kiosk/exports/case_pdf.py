"""A pupil's records laid out as a PDF: the child protection file for the next school, or the
chronology for a case conference, strategy discussion or MASH referral.

Input is the plain data of kiosk.services.casefile (the same the transfer bundle carries).
"""

from __future__ import annotations

from kiosk.exports.pdf import Furniture, RecordPdf, body_map


def _pupil_line(c: dict) -> str:
    p = c["pupil"]
    name = f"{p['first_name']} {p['last_name']}"
    return name + (f" (UPN {p['upn']})" if p["upn"] else "")


def _front(pdf: RecordPdf, content: dict, title: str, summary: str = "", move: dict | None = None) -> None:
    p = content["pupil"]
    pdf.add_page()
    pdf.heading(title, 16)
    rows = [("Child", f"{p['first_name']} {p['last_name']}"
             + (f" (known as {p['preferred_name']})" if p["preferred_name"] else "")),
            ("Date of birth", p["date_of_birth"]), ("UPN", p["upn"] or "not recorded"),
            ("Year and form", f"Year {p['year_group']} {p['form_group']}".strip())]
    if move:
        rows += [("Moving to", move["destination_school"]), ("Their DSL", move["destination_dsl"]),
                 ("Left this school", move["left_on"]), ("Joining", move.get("joining_on") or "not known")]
    pdf.table(("", ""), rows, widths=(45, 137))
    pdf.field("Flags", ", ".join(content["flags"]) or "None set")
    pdf.field("Current plan", ", ".join(content["current_plan"]) or "No plan recorded")
    if content["key_contacts"]:
        pdf.para("Key contacts", bold=True)
        pdf.table(("Role", "Name", "Phone", "Email"),
                  [(k["role"], k["name"], k["phone"], k["email"]) for k in content["key_contacts"]],
                  widths=(45, 45, 35, 57))
    if summary:
        pdf.field("The DSL's summary", summary)
    n = len(content["concerns"])
    pdf.para(f"{n} concern{'s' if n != 1 else ''} included; "
             f"{len(content['flag_changes'])} flag change(s); {len(content['early_help'])} early-help "
             f"record(s); {len(content['received'])} record(s) received from earlier schools.")
    if content["restricted_withheld"]:
        pdf.para(f"{content['restricted_withheld']} restricted concern(s) are not included; "
                 "ask the sending DSL.", bold=True)


def _timeline(pdf: RecordPdf, content: dict, newest_first: bool) -> None:
    from kiosk.services.casefile import timeline

    entries = timeline(content)
    if newest_first:
        entries.reverse()
    pdf.add_page()
    pdf.heading("Chronology" + (" (newest first)" if newest_first else " (oldest first)"))
    pdf.table(("Date", "Kind", "Entry", "Detail"),
              [(e["on"], e["kind"], e["title"], e["detail"]) for e in entries] or [("", "", "Nothing in this period", "")],
              widths=(20, 18, 52, 92), font_size=8)


def _concerns(pdf: RecordPdf, content: dict) -> None:
    for c in content["concerns"]:
        pdf.add_page()
        pdf.heading(f"Concern {c['ref']}: {', '.join(c['categories']) or 'uncategorised'}"
                    + ("  (RESTRICTED)" if c["restricted"] else ""), 12)
        pdf.table(("", ""), [("When", f"{c['occurred_on']} {c['occurred_time']}".strip()),
                             ("Where", c["location"]), ("Source", c["source"]),
                             ("Recorded", f"{c['recorded_at']} by {c['recorded_by']}"),
                             ("This child's part", c["role"]), ("Others involved", ", ".join(c["others"]) or "-"),
                             ("Status", c["status"])], widths=(40, 142))
        pdf.field("The child's own words", c["words"])
        pdf.field("What was seen or heard", c["description"])
        pdf.field("Why it is a concern", c["why"])
        if c["injuries"]:
            pdf.para("Injuries (body map)", bold=True)
            body_map(pdf, [(i + 1, inj["area"], f"{inj['label']}: {inj['description']}")
                           for i, inj in enumerate(c["injuries"])])
        if c["actions"]:
            pdf.para("Actions and their reasons", bold=True)
            pdf.table(("Date", "Action", "By", "Notes", "Rationale"),
                      [(a["date"], a["kind"], a["taken_by"], a["notes"], a["rationale"]) for a in c["actions"]],
                      widths=(20, 34, 28, 50, 50), font_size=8)
        if c["events"]:
            pdf.para("Decisions and outcomes", bold=True)
            pdf.table(("When", "What", "By", "Outcome and reasoning"),
                      [(e["at"], e["kind"], e["by"],
                        " ".join(x for x in (e["outcome"], e["summary"], e["reasoning"]) if x))
                       for e in c["events"]], widths=(32, 30, 30, 90), font_size=8)
        if c["amendments"]:
            pdf.para("Amendments", bold=True)
            pdf.table(("When", "Field", "Correction", "Reason", "By"),
                      [(a["at"], a["field"], a["text"], a["reason"], a["by"]) for a in c["amendments"]],
                      widths=(30, 24, 60, 40, 28), font_size=8)


def _mash(pdf: RecordPdf, content: dict, mash: dict) -> None:
    p = content["pupil"]
    pdf.add_page()
    pdf.heading("MASH referral summary", 14)
    pdf.table(("Field", "Answer"), [
        ("Child", f"{p['first_name']} {p['last_name']}"), ("Date of birth", p["date_of_birth"]),
        ("UPN", p["upn"] or "not recorded"), ("School and year", f"{content['school']}, Year {p['year_group']}"),
        ("Address", mash.get("address", "")), ("Household", mash.get("household", "")),
        ("Parents aware", mash.get("parents_aware", "")),
        ("Parents consented, or why not", mash.get("consent", "")),
        ("Reason for the referral", mash.get("reason", "")),
        ("Professionals involved", mash.get("professionals", "")),
        ("Flags", ", ".join(content["flags"]) or "None"),
    ], widths=(55, 127))


def transfer_pdf(content: dict, furniture: Furniture, move: dict, summary: str, password: str) -> bytes:
    pdf = RecordPdf(furniture)
    _front(pdf, content, "Child protection file", summary, move)
    _timeline(pdf, content, newest_first=False)
    _concerns(pdf, content)
    return pdf.output_encrypted(password)


def chronology_pdf(content: dict, furniture: Furniture, *, purpose: str, newest_first: bool,
                   mash: dict | None, password: str) -> bytes:
    pdf = RecordPdf(furniture)
    period = content["period"]
    _front(pdf, content, f"Chronology for {purpose}: {period['from'] or 'start'} to {period['to'] or 'today'}")
    if mash is not None:
        _mash(pdf, content, mash)
    _timeline(pdf, content, newest_first)
    _concerns(pdf, content)
    return pdf.output_encrypted(password)
