"""Exporting a pupil's chronology from the chronology screen (x): the date range, purpose,
order, redaction and CSV; the MASH referral fields when that is the purpose; each restricted
concern confirmed in turn; then the password shown once. The work runs as a service call
(kiosk.services.exports.export_chronology checks the capability and audits).
"""

from __future__ import annotations

from kiosk.dates import parse_typed_date
from kiosk.services import casefile, exports
from kiosk.widgets.dialogs import ConfirmDialog, Field, FieldsDialog, NoticeDialog

YES_NO = (("no", "No"), ("yes", "Yes"))


def _dates(values: dict) -> dict:
    """The typed dates read (in the worker: a refusal keeps the dialog open, with its text)."""
    return {**values, "start_d": parse_typed_date(values["start"], "start", required=False, label="from"),
            "end_d": parse_typed_date(values["end"], "end", required=False, label="to")}


def start(screen, pupil_id: int, values: dict | None = None) -> None:
    v = values or {}
    fields = [
        Field("start", "From (date; blank: from the first record)", value=v.get("start", "")),
        Field("end", "To (date; blank: today)", value=v.get("end", "")),
        Field("purpose", "For", "choice", value=v.get("purpose", "case_conference"),
              options=tuple((k, t.capitalize()) for k, t in exports.PURPOSES.items())),
        Field("order", "Order", "choice", value=v.get("order", "newest"),
              options=(("newest", "Newest first"), ("oldest", "Oldest first"))),
        Field("redact", "Hide the names of other pupils named in concerns?", "choice",
              value=v.get("redact", "yes"), options=(("yes", "Yes"), ("no", "No"))),
        Field("csv", "Also a CSV (not encrypted: only if you need it)", "choice",
              value=v.get("csv", "no"), options=YES_NO),
        Field("password", "PDF password (blank: a strong one is made and shown once)", max_length=200),
    ]

    def done(values: dict | None) -> None:
        if values is None:
            return
        if values["purpose"] == "mash":
            _mash(screen, pupil_id, values)
        else:
            _restricted(screen, pupil_id, values, None)

    screen.app.push_screen(FieldsDialog("Export the chronology", fields, _dates,
                                        intro="The PDF is always encrypted. Escape cancels.",
                                        save_label="Next"), done)


def _mash(screen, pupil_id: int, values: dict) -> None:
    fields = [Field("address", "Address"), Field("household", "Household (who lives there)", "text"),
              Field("parents_aware", "Are the parents aware?"),
              Field("consent", "Did they consent? If not asked, why not", "text"),
              Field("reason", "Reason for the referral", "text"),
              Field("professionals", "Professionals involved", "text")]

    def done(m: dict | None) -> None:
        if m is not None:
            _restricted(screen, pupil_id, values, exports.MashFields(**m))

    screen.app.push_screen(FieldsDialog("MASH referral summary", fields), done)


def _restricted(screen, pupil_id: int, values: dict, mash) -> None:
    screen.run_service(casefile.restricted_choices, screen.app.actor, pupil_id,
                       then=lambda found: _ask(screen, pupil_id, values, mash, list(found[0]), []))


def _ask(screen, pupil_id, values, mash, pending: list, chosen: list) -> None:
    if not pending:
        _run(screen, pupil_id, values, mash, chosen)
        return
    c = pending.pop(0)

    def answered(yes: bool | None) -> None:
        _ask(screen, pupil_id, values, mash, pending, chosen + ([c["id"]] if yes else []))

    screen.app.push_screen(ConfirmDialog(f"Include restricted concern {c['ref']} ({c['categories']})? "
                                         "y includes it.", title="Restricted concern"), answered)


def _run(screen, pupil_id, values, mash, chosen) -> None:
    app = screen.app

    def exported(out) -> None:
        lines = [(f"PDF: {out.pdf_path}", "")]
        if out.csv_path:
            lines.append((f"CSV: {out.csv_path} (not encrypted: keep it safe, delete when done)", ""))
        if out.password:
            lines.insert(0, (f"Password: {out.password}", "bold reverse"))
            lines.insert(1, ("Shown once; it is not kept.", ""))
        lines.append((f"{out.entries} entries.", ""))
        app.push_screen(NoticeDialog("Chronology exported", lines))

    screen.run_service(
        exports.export_chronology, app.actor, app.settings, app.profile, pupil_id,
        start=values["start_d"], end=values["end_d"], purpose=values["purpose"],
        newest_first=values["order"] == "newest", redact=values["redact"] == "yes", mash=mash,
        password=values["password"] or None, with_csv=values["csv"] == "yes",
        include_restricted=chosen, then=exported, group="export", exclusive=True)
