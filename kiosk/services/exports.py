"""Exports other than the transfer: a pupil's chronology for a case conference, a strategy
discussion or a MASH referral (PDF, optionally CSV), and the governors' report (counts only).

Each is a capability of its own, writes owner-only files into the school's export directory
and is audited with each file's SHA-256. A chronology PDF is always encrypted; its CSV
companion is made only when asked for (it cannot be encrypted, so the DSL chooses it).
The governors' report names no one, so its PDF may be opened without a password; small
numbers are suppressed exactly as the statistics screen does (kiosk.services.stats).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from peewee import fn

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import fmt_local, to_utc, today, utcnow
from kiosk.errors import ValidationError
from kiosk.rules.attendance import percent_text
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.services.stats import (MONTHS, attendance_by_offer, cell, current_academic_year, rate,
                                  suppress_group)
from kiosk.text import clean

PURPOSES = {
    "case_conference": "a child protection case conference",
    "strategy": "a strategy discussion",
    "mash": "a MASH referral",
}


@dataclass(frozen=True)
class MashFields:
    """What a MASH referral form asks for beyond the chronology itself."""

    address: str = ""
    household: str = ""
    parents_aware: str = ""
    consent: str = ""  # consented, or why they were not asked
    reason: str = ""
    professionals: str = ""

    def cleaned(self) -> dict:
        out = {}
        for name, label in (("address", "address"), ("household", "household"),
                            ("parents_aware", "parents aware"), ("consent", "consent or why not"),
                            ("reason", "reason for referral"), ("professionals", "professionals involved")):
            out[name] = clean(getattr(self, name), label, multiline=True, max_length=4000)
        if not out["reason"]:
            raise ValidationError("reason for referral", "is needed on a MASH referral summary")
        if not out["consent"]:
            raise ValidationError("consent or why not", "say whether parents consented, or why they were not asked")
        return out


@dataclass(frozen=True)
class ChronologyExport:
    pdf_path: Path
    csv_path: Path | None
    password: str | None  # generated: shown once, never stored
    entries: int


def export_chronology(actor: Actor, settings, profile, pupil_id: int, *, start: date | None = None,
                      end: date | None = None, purpose: str = "case_conference", newest_first: bool = True,
                      redact: bool = False, mash: MashFields | None = None, password: str | None = None,
                      with_csv: bool = False, include_restricted=()) -> ChronologyExport:
    require(actor, Cap.EXPORT_CHRONOLOGY)
    require(actor, Cap.CHRONOLOGY_VIEW)
    from kiosk.exports import case_pdf, files
    from kiosk.exports.pdf import Furniture, check_password, generate_password
    from kiosk.services import casefile

    if purpose not in PURPOSES:
        raise ValidationError("purpose", f"must be one of {', '.join(PURPOSES)}")
    if start and end and start > end:
        raise ValidationError("date range", "the start is after the end")
    mash_fields = mash.cleaned() if mash is not None else None
    if purpose == "mash" and mash_fields is None:
        raise ValidationError("MASH referral", "fill in the referral summary")
    generated = not password
    pw = generate_password() if generated else check_password(password)
    with dbmod.translate_errors():
        content = casefile.build(actor, pupil_id, profile=profile, start=start, end=end,
                                 include_restricted=include_restricted, redact=redact)
        p = content["pupil"]
        produced_at = fmt_local(utcnow())
        school = profile.school_name if profile is not None else ""
        furniture = Furniture(school, f"{p['first_name']} {p['last_name']}"
                              + (f" (UPN {p['upn']})" if p["upn"] else "") + f", date of birth {p['date_of_birth']}",
                              f"Chronology for {PURPOSES[purpose]}", actor.full_name, produced_at)
        pdf_bytes = case_pdf.chronology_pdf(content, furniture, purpose=PURPOSES[purpose],
                                            newest_first=newest_first, mash=mash_fields, password=pw)
        entries = casefile.timeline(content)
        if newest_first:
            entries.reverse()
        out = files.export_dir(settings)
        stem = f"chronology-{p['last_name']}-{today():%Y%m%d}"
        pdf_file = files.write_export(out, stem, ".pdf", pdf_bytes)
        csv_file = None
        if with_csv:
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow([f"{school}: chronology of {p['first_name']} {p['last_name']}, produced by "
                        f"{actor.full_name} on {produced_at}"])
            w.writerow(["date", "kind", "entry", "detail"])
            for e in entries:
                # A leading = + - @ would run as a formula in a spreadsheet.
                w.writerow(["'" + v if v[:1] in "=+-@" else v for v in (e["on"], e["kind"], e["title"], e["detail"])])
            csv_file = files.write_export(out, stem, ".csv", buf.getvalue().encode("utf-8"))
        detail = {"purpose": purpose, "from": start.isoformat() if start else "", "to": end.isoformat() if end else "",
                  "redacted": redact, "entries": len(entries), "pdf": pdf_file.path.name,
                  "pdf_sha256": pdf_file.sha256, "restricted_included": sorted(int(i) for i in include_restricted)}
        if csv_file:
            detail.update(csv=csv_file.path.name, csv_sha256=csv_file.sha256)
        audit.record(actor, "export.chronology", "pupil", pupil_id, detail)
    return ChronologyExport(pdf_file.path, csv_file.path if csv_file else None, pw if generated else None,
                            len(entries))


# --- the governors' report ------------------------------------------------------------------

TERM_MONTHS = {"autumn": (9, 1), "spring": (1, 4), "summer": (4, 9)}  # first month, next term's


@dataclass(frozen=True)
class Chart:
    title: str
    labels: tuple[str, ...]
    values: tuple[int, ...]  # raw counts, for bar lengths only: never shown when suppressed
    shown: tuple[str, ...]  # what is printed by each bar ("<5", "x" or the count)

    def drawable(self) -> tuple[int, ...]:
        """Bar lengths with suppressed bars at zero: the chart never reveals a hidden count."""
        return tuple(0 if s in ("<5", "x") else v for v, s in zip(self.values, self.shown))


@dataclass(frozen=True)
class GovernorsReport:
    title: str
    period: str
    start: date
    end: date  # exclusive
    charts: tuple[Chart, ...]
    tables: tuple = field(default_factory=tuple)  # kiosk.services.stats.StatTable
    note: str = ""


def _report_period(period: str, academic_year: int | None = None) -> tuple[str, date, date]:
    ay = current_academic_year() if academic_year is None else academic_year
    if not isinstance(ay, int) or not 2000 <= ay <= current_academic_year() + 1:
        raise ValidationError("academic year", "must be a year from 2000 to next year")
    if period == "year":
        return f"the year {ay} to {ay + 1}", date(ay, 9, 1), date(ay + 1, 9, 1)
    if period not in TERM_MONTHS:
        raise ValidationError("period", "must be year, autumn, spring or summer")
    first, nxt = TERM_MONTHS[period]
    start = date(ay if first >= 9 else ay + 1, first, 1)
    end = date(ay + 1, nxt, 1)  # every term ends in the academic year's second calendar year
    return f"the {period} term {ay} to {ay + 1}", start, end


def _u(d: date) -> datetime:
    return to_utc(datetime.combine(d, time(0, 0)))


def _chart(title, labels, values, total_shown=True) -> Chart:
    return Chart(title, tuple(labels), tuple(int(v or 0) for v in values),
                 tuple(suppress_group(values, total_shown)))


def _table(title, head, chart: Chart, total_label="All"):
    from kiosk.services.stats import StatTable

    rows = [(label, s) for label, s in zip(chart.labels, chart.shown)]
    rows.append((total_label, cell(sum(chart.values))))
    return StatTable(title, head, tuple(rows))


def governors_report(actor: Actor, period: str = "year", academic_year: int | None = None,
                     profile=None) -> GovernorsReport:
    """Counts for the safeguarding governor. No name, no record: aggregates only. Audited."""
    require(actor, Cap.EXPORT_REPORT)
    from kiosk.models import ProcedureSignoff, User
    from kiosk.models.concerns import SOURCES, Concern, ConcernCategory, ConcernCategoryLink, ConcernPupil
    from kiosk.models.pupils import Pupil
    from kiosk.services.stats import NOTE, StatTable

    label, start, end = _report_period(period, academic_year)
    a, b = _u(start), _u(end)
    charts: list[Chart] = []
    tables: list = []
    with dbmod.translate_errors():
        in_range = (Concern.recorded_at >= a) & (Concern.recorded_at < b)
        # By month (a few hundred rows a year at most: counted here, not in SQL).
        months: list[tuple[str, date]] = []
        d = start
        while d < end:
            months.append((MONTHS[(d.month - 9) % 12][:3], d))
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        counts = [0] * len(months)
        bounds = [_u(m) for _, m in months]  # local month starts as UTC moments
        for (at,) in Concern.select(Concern.recorded_at).where(in_range).tuples():
            for i in range(len(months) - 1, -1, -1):
                if at >= bounds[i]:
                    counts[i] += 1
                    break
        by_month = _chart("Concerns by month", [m for m, _ in months], counts)
        charts.append(by_month)
        cats = dict(ConcernCategory.select(ConcernCategory.key, ConcernCategory.name).tuples())
        rows = dict(ConcernCategoryLink.select(ConcernCategoryLink.category, fn.COUNT(Concern.id))
                    .join(Concern, on=(ConcernCategoryLink.concern == Concern.id)).where(in_range)
                    .group_by(ConcernCategoryLink.category).tuples())
        keys = [k for k in cats if rows.get(k)] + sorted(k for k in rows if k not in cats)
        by_cat = _chart("Concerns by category", [cats.get(k, k) for k in keys], [rows[k] for k in keys],
                        total_shown=False)
        charts.append(by_cat)
        years = dict(Concern.select(Pupil.year_group, fn.COUNT(fn.DISTINCT(Concern.id)))
                     .join(ConcernPupil, on=(ConcernPupil.concern == Concern.id))
                     .join(Pupil, on=(ConcernPupil.pupil == Pupil.id))
                     .where(in_range & (ConcernPupil.role == "subject")).group_by(Pupil.year_group).tuples())
        ys = sorted(years)
        by_year = _chart("Concerns by year group (the child concerned)",
                         ["Reception" if y == 0 else f"Year {y}" for y in ys], [years[y] for y in ys])
        charts.append(by_year)
        sources = dict(Concern.select(Concern.source, fn.COUNT(Concern.id)).where(in_range)
                       .group_by(Concern.source).tuples())
        sk = [k for k in SOURCES if sources.get(k)] + sorted(k for k in sources if k not in SOURCES)
        by_source = _chart("Concerns by source", [SOURCES.get(k, k) for k in sk], [sources[k] for k in sk])
        charts.append(by_source)
        tables += [_table("Concerns by month", ("Month", "Concerns"), by_month, "All concerns"),
                   StatTable("Concerns by category", ("Category", "Concerns"),
                             tuple(zip(by_cat.labels, by_cat.shown)),
                             "A concern with two categories counts under each."),
                   _table("Concerns by year group", ("Year group", "Concerns"), by_year),
                   _table("Concerns by source", ("Source", "Concerns"), by_source)]
        tables += _early_help(start, end, charts)
        tables += _adults(a, b)
        signed = 0
        active = User.select(fn.COUNT(User.id)).where(User.active == True).scalar() or 0  # noqa: E712
        if profile is not None:
            signed = (ProcedureSignoff.select(fn.COUNT(fn.DISTINCT(ProcedureSignoff.user)))
                      .join(User, on=(ProcedureSignoff.user == User.id))
                      .where((ProcedureSignoff.version == profile.procedures_version) & (User.active == True))  # noqa: E712
                      .scalar() or 0)
            s = suppress_group([signed, active - signed])
            tables.append(StatTable(f"Staff who have signed the procedures (version {profile.procedures_version})",
                                    ("Staff accounts", "Count"),
                                    (("Signed", s[0]), ("Not yet signed", s[1]), ("All active accounts", cell(active)),
                                     ("Signed, as a share", rate(signed, active)))))
        audit.record(actor, "export.governors_report.view", "stats", f"{period}:{start.isoformat()}",
                     {"period": period, "from": start.isoformat()})
    title = f"Safeguarding report to governors: {label}"
    return GovernorsReport(title, label, start, end, tuple(charts), tuple(tables), NOTE)


def _early_help(start: date, end: date, charts: list) -> list:
    try:
        from kiosk.models.early_help import (
            EarlyHelpEnrolment as E, EarlyHelpOffer as O, EarlyHelpReferral as R,
        )
    except ImportError:
        return []
    from kiosk.models.concerns import ConcernAction
    from kiosk.services.stats import StatTable

    offers = dict(O.select(O.id, O.name).tuples())
    enrolled = dict(E.select(E.offer, fn.COUNT(E.id)).where((E.start_on >= start) & (E.start_on < end))
                    .group_by(E.offer).tuples())
    att = attendance_by_offer(start, end)
    ids = [o for o in offers if enrolled.get(o) or att.get(o, (0, 0))[1]]
    shown = suppress_group([enrolled.get(o, 0) for o in ids])
    present = suppress_group([att.get(o, (0, 0))[0] for o in ids])
    # The caseload's percentage for the same offer (one rule), hidden only with its count.
    rows = [(offers[o], shown[i], present[i],
             percent_text(*att.get(o, (0, 0))) if present[i] == cell(att.get(o, (0, 0))[0]) else present[i])
            for i, o in enumerate(ids)]
    all_present = sum(att.get(o, (0, 0))[0] for o in ids)
    rows.append(("All offers", cell(sum(enrolled.get(o, 0) for o in ids)), cell(all_present),
                 percent_text(all_present, sum(att.get(o, (0, 0))[1] for o in ids))
                 if cell(all_present) == str(all_present) else cell(all_present)))
    charts.append(_chart("Early help enrolments by offer", [offers[o] for o in ids], [enrolled.get(o, 0) for o in ids]))
    a, b = _u(start), _u(end)
    internal = R.select(fn.COUNT(R.id)).where((R.referred_at >= a) & (R.referred_at < b)).scalar() or 0
    external = (ConcernAction.select(fn.COUNT(ConcernAction.id))
                .where((ConcernAction.kind == "early_help") & (ConcernAction.action_date >= start)
                       & (ConcernAction.action_date < end)).scalar() or 0)
    return [StatTable("Early help by offer", ("Offer", "Enrolments", "Attended", "Attendance"), tuple(rows),
                      "Attended: attendances marked present."),
            StatTable("Early help referrals", ("Referrals", "Count"),
                      (("Internal referrals for 1:1 or group work", cell(internal)),
                       ("Early help chosen by the DSL team on a concern", cell(external))))]


def _adults(a: datetime, b: datetime) -> list:
    try:
        from kiosk.models.adults import AdultConcern, AdultConcernEvent as Ev
    except ImportError:
        return []
    from kiosk.services.stats import StatTable

    rng = (AdultConcern.created_at >= a) & (AdultConcern.created_at < b)
    kinds = dict(AdultConcern.select(AdultConcern.kind, fn.COUNT(AdultConcern.id)).where(rng)
                 .group_by(AdultConcern.kind).tuples())
    on_time = late = waiting = 0
    first = {cid: at for cid, at in (Ev.select(Ev.concern, fn.MIN(fn.COALESCE(Ev.occurred_at, Ev.at)))
                                     .where(Ev.kind == "lado_contact").group_by(Ev.concern).tuples())}
    for cid, due in (AdultConcern.select(AdultConcern.id, AdultConcern.lado_due_at)
                     .where(rng & (AdultConcern.kind == "allegation")).tuples()):
        when = first.get(cid)
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        if when is None:
            waiting += 1
        elif due is None or when <= due:
            on_time += 1
        else:
            late += 1
    shown = suppress_group([on_time, late, waiting])
    return [StatTable("Concerns about adults", ("Concerns about adults", "Count"), (
        ("Allegations (harms threshold met)", cell(kinds.get("allegation", 0))),
        ("  LADO contacted within one working day", shown[0]),
        ("  LADO contacted late", shown[1]),
        ("  LADO not yet contacted", shown[2]),
        ("Low-level concerns", cell(kinds.get("low_level", 0))),
    ), "Timeliness: the first LADO contact against the deadline (one working day, para 14).")]


def export_governors_report(actor: Actor, settings, profile, period: str = "year",
                            academic_year: int | None = None, password: str | None = None) -> Path:
    """The report as a PDF with the same charts (bars drawn with fpdf2). Counts only."""
    require(actor, Cap.EXPORT_REPORT)
    from kiosk.exports import files
    from kiosk.exports.pdf import Furniture, RecordPdf

    report = governors_report(actor, period, academic_year, profile)
    school = profile.school_name if profile is not None else ""
    pdf = RecordPdf(Furniture(school, "No individual: counts only", report.title, actor.full_name,
                              fmt_local(utcnow())))
    pdf.add_page()
    pdf.heading(report.title, 15)
    pdf.para(report.note)
    for chart in report.charts:
        pdf.bar_chart(chart.title, chart.labels, chart.drawable(), chart.shown)
    for t in report.tables:
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        pdf.para(t.title, bold=True)
        pdf.table(t.columns, t.rows)
        if t.note:
            pdf.para(t.note)
    data = pdf.output_encrypted(password) if password else pdf.output_plain()
    with dbmod.translate_errors():
        out = files.write_export(files.export_dir(settings),
                                 f"governors-report-{period}-{report.start:%Y%m}", ".pdf", data)
        audit.record(actor, "export.governors_report", "stats", f"{period}:{report.start.isoformat()}",
                     {"pdf": out.path.name, "pdf_sha256": out.sha256, "encrypted": bool(password)})
    return out.path
