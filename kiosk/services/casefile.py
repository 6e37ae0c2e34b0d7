"""What a pupil's child protection records look like when they leave the console.

`build(actor, pupil_id, ...)` gathers, for those who may read them, the pupil, their
flags, every concern in full (the child's own words, injuries, actions with rationales,
status changes with outcomes and reasoning, amendments), flag changes, early help and any
records received from earlier schools, as plain JSON-ready data. The transfer bundle
carries it as is; the PDFs (kiosk.exports.case_pdf) and the CSV are laid out from it.

Restricted concerns are left out unless their ids are in `include_restricted` (each one
confirmed by the DSL, who must be named on it); those left out are counted, never described.
With `redact`, the names of other pupils linked to a concern are replaced in its text.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from kiosk.capabilities import Cap
from kiosk.clock import fmt_local, to_local
from kiosk.errors import ValidationError
from kiosk.services import people
from kiosk.services.actor import Actor

REDACTED = "[another pupil]"


def _iso(d) -> str:
    return d.isoformat() if d is not None else ""


def _redactor(names: list[str]):
    words = sorted({w for n in names for w in n.split() if len(w) > 1}, key=len, reverse=True)
    if not words:
        return lambda text: text
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    return lambda text: pattern.sub(REDACTED, text or "")


def restricted_choices(actor: Actor, pupil_id: int) -> tuple[list[dict], int]:
    """Restricted concerns about the pupil the actor may include (named on them), and how
    many others exist that the actor cannot see (so cannot confirm)."""
    from kiosk.services.actor import require

    # Both callers (the chronology export, the CP file transfer) need the pupil's whole
    # record; checked before the count, which alone says restricted concerns exist.
    require(actor, Cap.CHRONOLOGY_VIEW)
    from kiosk.models.concerns import Concern, ConcernPupil
    from kiosk.services import concerns as svc

    rows = list(Concern.select().join(ConcernPupil, on=(ConcernPupil.concern == Concern.id))
                .where((ConcernPupil.pupil == pupil_id) & (Concern.restricted == True))  # noqa: E712
                .order_by(Concern.occurred_on, Concern.id))
    mine, others = [], 0
    cats = svc.category_views([r.id for r in rows])
    for r in rows:
        if svc.access_level(actor, r) == svc.FULL:
            mine.append({"id": r.id, "ref": svc.ref_for(r.id), "occurred_on": r.occurred_on,
                         "categories": ", ".join(c.name for c in cats.get(r.id, []))})
        else:
            others += 1
    return mine, others


def build(actor: Actor, pupil_id: int, *, profile=None, start: date | None = None,
          end: date | None = None, include_restricted=(), redact: bool = False) -> dict:
    """The pupil's records as plain data (the caller checks the export capability and audits)."""
    from kiosk.models.concerns import Concern, ConcernPupil, PUPIL_ROLES
    from kiosk.models.pupils import PUPIL_FLAGS, PupilFlagChange
    from kiosk.services import concerns as svc
    from kiosk.services import pupils

    p = pupils.get(actor, pupil_id)
    include = set(int(i) for i in include_restricted)
    allowed, _ = restricted_choices(actor, pupil_id)
    unknown = include - {c["id"] for c in allowed}
    if unknown:
        raise ValidationError("restricted concerns",
                              f"{svc.ref_for(min(unknown))} is not a restricted concern you are named on")

    def in_range(d: date) -> bool:
        return (start is None or d >= start) and (end is None or d <= end)

    rows = list(Concern.select().join(ConcernPupil, on=(ConcernPupil.concern == Concern.id))
                .where(ConcernPupil.pupil == pupil_id).order_by(Concern.occurred_on, Concern.id))
    concerns, withheld = [], 0
    for row in rows:
        if not in_range(row.occurred_on):
            continue
        level = svc.access_level(actor, row)
        if level != svc.FULL or (row.restricted and row.id not in include):
            withheld += 1 if row.restricted else 0
            continue
        d = svc.detail_view(actor, row)
        others = [x for x in d.pupils if x.pupil_id != pupil_id]
        if redact:
            # Every name they go by: legal first and last, preferred, as shown.
            from kiosk.models.pupils import Pupil as P

            names = [x.name for x in others]
            for o in P.select(P.first_name, P.last_name, P.preferred_name).where(
                    P.id.in_([x.pupil_id for x in others] or [0])):
                names += [o.first_name, o.last_name, o.preferred_name]
            clean = _redactor([n for n in names if n])
        else:
            def clean(t):
                return t or ""
        me = next((x for x in d.pupils if x.pupil_id == pupil_id), None)
        concerns.append({
            "ref": d.ref, "occurred_on": _iso(d.occurred_on), "occurred_time": d.occurred_time,
            "recorded_at": fmt_local(d.recorded_at), "recorded_by": d.recorded_by,
            "location": clean(d.location), "source": d.source_label,
            "categories": [c.name for c in d.categories],
            "role": PUPIL_ROLES.get(me.role, me.role) if me else "",
            "others": [(REDACTED if redact else x.name) + f" ({x.role_label.lower()})" for x in others],
            "words": clean(d.words), "description": clean(d.description), "why": clean(d.why_concern),
            "injuries": [{"area": i.body_area, "label": i.area_label, "description": clean(i.description)}
                         for i in d.injuries],
            "urgent": d.urgent, "status": d.status_label, "restricted": d.restricted,
            "actions": [{"date": _iso(a.action_date), "kind": a.kind_label, "taken_by": a.taken_by,
                         "notes": clean(a.notes), "rationale": clean(a.rationale)} for a in d.actions],
            "events": [{"at": fmt_local(e.at), "kind": e.label, "by": e.by,
                        "outcome": e.outcome_label if e.outcome else "", "summary": clean(e.summary),
                        "reasoning": clean(e.reasoning)} for e in d.events],
            "amendments": [{"at": fmt_local(a.at), "field": a.field_label, "text": clean(a.text),
                            "reason": clean(a.reason), "by": a.by} for a in d.amendments],
        })
    from kiosk.rules.flags import flag_label

    by = people.names([c.by_id for c in PupilFlagChange.select(PupilFlagChange.by)
                     .where(PupilFlagChange.pupil == pupil_id)])

    def took_effect(c) -> date:
        return getattr(c, "effective_on", None) or to_local(c.at).date()

    flag_changes = [{"at": fmt_local(c.at), "on": _iso(took_effect(c)),
                     "flag": flag_label(c.flag, getattr(p, "other_label", "")), "set": c.value,
                     "reason": c.reason, "by": by.get(c.by_id, "?")}
                    for c in PupilFlagChange.select().where(PupilFlagChange.pupil == pupil_id)
                    .order_by(PupilFlagChange.at, PupilFlagChange.id)
                    if in_range(took_effect(c))]
    early_help = []
    if actor.can(Cap.EARLY_HELP_VIEW):
        from kiosk.services.chronology import early_help_entries

        for e in sorted(early_help_entries(actor, pupil_id), key=lambda e: e.at):
            if in_range(to_local(e.at).date()):
                early_help.append({"at": fmt_local(e.at), "on": _iso(to_local(e.at).date()),
                                   "title": e.title, "detail": e.detail})
    received = []
    from kiosk.models.transfers import ReceivedRecord, TransferIn

    for r in (ReceivedRecord.select(ReceivedRecord, TransferIn).join(TransferIn)
              .where(ReceivedRecord.pupil == pupil_id)
              .order_by(ReceivedRecord.at, ReceivedRecord.position)):
        school, when = r.transfer.from_school, r.transfer.received_at
        if in_range(to_local(r.at).date()):
            received.append({"at": fmt_local(r.at), "on": _iso(to_local(r.at).date()),
                             "from_school": school, "received_on": _iso(to_local(when).date()),
                             "kind": r.kind, "title": r.title, "detail": r.detail})
    # The flags as the DSL team keeps them (kiosk.services.pupils), with the date each took effect.
    flags = [f"{f.label} (since {f.since:%d %b %Y})" if f.since else f.label
             for f in pupils.flag_states(actor, pupil_id) if f.set]
    contacts = []
    if profile is not None:
        contacts.append({"role": "Designated Safeguarding Lead", "name": profile.dsl.name,
                         "phone": profile.dsl.phone, "email": profile.dsl.email})
        for d in profile.deputy_dsls:
            contacts.append({"role": "Deputy DSL", "name": d.name, "phone": d.phone, "email": d.email})
        la = profile.local_authority
        contacts.append({"role": f"{la.name}: referrals", "name": la.referral_line.name,
                         "phone": la.referral_line.phone or "", "email": la.referral_line.email or ""})
    plan = [flag_label(key) for key in PUPIL_FLAGS
            if key in ("cp_plan", "child_in_need", "looked_after", "early_help_open") and getattr(p, key)]
    return {
        "pupil": {"upn": p.upn or "", "first_name": p.first_name, "last_name": p.last_name,
                  "preferred_name": p.preferred_name, "date_of_birth": _iso(p.date_of_birth),
                  "year_group": p.year_group, "form_group": p.form_group},
        "school": profile.school_name if profile is not None else "",
        "flags": flags,
        "current_plan": plan,
        "key_contacts": contacts,
        "period": {"from": _iso(start), "to": _iso(end)},
        "concerns": concerns,
        "restricted_withheld": withheld,
        "flag_changes": flag_changes,
        "early_help": early_help,
        "received": received,
    }


def timeline(content: dict) -> list[dict]:
    """One list of dated entries (oldest first) from built content: for tables and CSV."""
    out = []
    for c in content["concerns"]:
        day = c["occurred_on"]
        text = f"{c['source']}. {c['description']}"
        if c["words"]:
            text += f" Their words: \u201c{c['words']}\u201d"
        if c["why"]:
            text += f" Why a concern: {c['why']}"
        if c["injuries"]:
            text += " Injuries: " + "; ".join(f"{i['label']}: {i['description']}" for i in c["injuries"])
        if c["others"]:
            text += " Others involved: " + ", ".join(c["others"]) + "."
        out.append({"on": day, "sort": f"{day} {c['occurred_time'] or '00:00'} 0", "kind": "Concern",
                    "title": f"{c['ref']}: {', '.join(c['categories']) or 'uncategorised'}"
                             + (f" ({c['role'].lower()})" if c["role"] and c["role"] != "Subject" else ""),
                    "detail": text + f" Recorded by {c['recorded_by']}."})
        for a in c["actions"]:
            out.append({"on": a["date"], "sort": f"{a['date']} 99:99 1", "kind": "Action",
                        "title": f"{c['ref']}: {a['kind']}",
                        "detail": f"By {a['taken_by']}. {a['notes']} Why: {a['rationale']}".replace("  ", " ")})
        for e in c["events"]:
            if e["kind"] in ("Closed", "Reopened"):
                detail = (f"Outcome: {e['outcome']}. {e['summary']} Reasoning: {e['reasoning']}"
                          if e["kind"] == "Closed" else e["reasoning"])
                day2 = datetime.strptime(e["at"], "%d %b %Y %H:%M").date().isoformat()
                out.append({"on": day2, "sort": f"{day2} 99:99 2", "kind": "Outcome",
                            "title": f"{c['ref']} {e['kind'].lower()} by {e['by']}", "detail": detail})
    for f in content["flag_changes"]:
        out.append({"on": f["on"], "sort": f"{f['on']} 99:99 3", "kind": "Flag",
                    "title": f"{f['flag']}: {'set' if f['set'] else 'removed'} by {f['by']}",
                    "detail": f["reason"]})
    for e in content["early_help"]:
        out.append({"on": e["on"], "sort": f"{e['on']} 99:99 4", "kind": "Early help",
                    "title": e["title"], "detail": e["detail"]})
    for r in content["received"]:
        out.append({"on": r["on"], "sort": f"{r['on']} 99:99 5", "kind": "Received",
                    "title": f"{r['title']} (received from {r['from_school']} on {r['received_on']})",
                    "detail": r["detail"]})
    out.sort(key=lambda e: e["sort"])
    return out
