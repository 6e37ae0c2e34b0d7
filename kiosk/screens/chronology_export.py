"""Exporting a pupil's chronology from the chronology screen (x): the date range, purpose,
order, redaction and CSV; the MASH referral fields when that is the purpose; each restricted
concern confirmed in turn; then the password shown once. The work runs in a worker
(kiosk.services.exports.export_chronology checks the capability and audits).
"""

from __future__ import annotations

from kiosk import db as dbmod
from kiosk.dates import parse_typed_date
from kiosk.errors import KioskError
from kiosk.screens.early_help_dialogs import FieldSpec, FieldsDialog
from kiosk.screens.export_dialogs import ConfirmDialog, NoticeDialog
from kiosk.services import exports

YES_NO = (("no", "No"), ("yes", "Yes"))


def start(screen, pupil_id: int, values: dict | None = None) -> None:
    v = values or {}
    fields = [
        FieldSpec("start", "From (date; blank: from the first record)", value=v.get("start", "")),
        FieldSpec("end", "To (date; blank: today)", value=v.get("end", "")),
        FieldSpec("purpose", "For", kind="choice", value=v.get("purpose", "case_conference"),
                  choices=tuple((k, t.capitalize()) for k, t in exports.PURPOSES.items())),
        FieldSpec("order", "Order", kind="choice", value=v.get("order", "newest"),
                  choices=(("newest", "Newest first"), ("oldest", "Oldest first"))),
        FieldSpec("redact", "Hide the names of other pupils named in concerns?", kind="choice",
                  value=v.get("redact", "yes"), choices=(("yes", "Yes"), ("no", "No"))),
        FieldSpec("csv", "Also a CSV (not encrypted: only if you need it)", kind="choice",
                  value=v.get("csv", "no"), choices=YES_NO),
        FieldSpec("password", "PDF password (blank: a strong one is made and shown once)", max_length=200),
    ]

    def done(values: dict | None) -> None:
        if values is None:
            return
        try:
            values["start_d"] = parse_typed_date(values["start"], "from", required=False)
            values["end_d"] = parse_typed_date(values["end"], "to", required=False)
        except KioskError as exc:
            screen.show_error(exc)
            start(screen, pupil_id, values)
            return
        if values["purpose"] == "mash":
            _mash(screen, pupil_id, values)
        else:
            _restricted(screen, pupil_id, values, None)

    screen.app.push_screen(FieldsDialog("Export the chronology", fields,
                                        "The PDF is always encrypted. Escape cancels."), done)


def _mash(screen, pupil_id: int, values: dict) -> None:
    fields = [FieldSpec("address", "Address"), FieldSpec("household", "Household (who lives there)", kind="text"),
              FieldSpec("parents_aware", "Are the parents aware?"),
              FieldSpec("consent", "Did they consent? If not asked, why not", kind="text"),
              FieldSpec("reason", "Reason for the referral", kind="text"),
              FieldSpec("professionals", "Professionals involved", kind="text")]

    def done(m: dict | None) -> None:
        if m is not None:
            _restricted(screen, pupil_id, values, exports.MashFields(**m))

    screen.app.push_screen(FieldsDialog("MASH referral summary", fields), done)


def _restricted(screen, pupil_id: int, values: dict, mash) -> None:
    from kiosk.services import casefile

    try:
        with dbmod.translate_errors():
            choices, _others = casefile.restricted_choices(screen.app.actor, pupil_id)
    except KioskError as exc:
        screen.show_error(exc)
        return
    _ask(screen, pupil_id, values, mash, list(choices), [])


def _ask(screen, pupil_id, values, mash, pending: list, chosen: list) -> None:
    if not pending:
        _run(screen, pupil_id, values, mash, chosen)
        return
    c = pending.pop(0)

    def answered(yes: bool | None) -> None:
        _ask(screen, pupil_id, values, mash, pending, chosen + ([c["id"]] if yes else []))

    screen.app.push_screen(ConfirmDialog("Restricted concern",
                                         f"Include restricted concern {c['ref']} ({c['categories']})? y includes it."),
                           answered)


def _run(screen, pupil_id, values, mash, chosen) -> None:
    actor, app = screen.app.actor, screen.app

    def work() -> None:
        try:
            with dbmod.connection():
                out = exports.export_chronology(
                    actor, app.settings, app.profile, pupil_id, start=values["start_d"], end=values["end_d"],
                    purpose=values["purpose"], newest_first=values["order"] == "newest",
                    redact=values["redact"] == "yes", mash=mash, password=values["password"] or None,
                    with_csv=values["csv"] == "yes", include_restricted=chosen)
        except KioskError as exc:
            app.call_from_thread(screen.show_error, exc)
            return
        lines = [(f"PDF: {out.pdf_path}", "")]
        if out.csv_path:
            lines.append((f"CSV: {out.csv_path} (not encrypted: keep it safe, delete when done)", ""))
        if out.password:
            lines.insert(0, (f"Password: {out.password}", "bold reverse"))
            lines.insert(1, ("Shown once; it is not kept.", ""))
        lines.append((f"{out.entries} entries.", ""))
        app.call_from_thread(app.push_screen, NoticeDialog("Chronology exported", lines))

    screen.run_worker(work, thread=True, exclusive=True, group="export")
