"""Taking the school's roll from its MIS: plan (the dry run and the console's preview) and
import, the same service for `kiosk pupils import` and the administrator's screen.

Matching: by UPN, then former UPN (either way round); a row without a UPN (or with one
nobody has yet) matches an existing pupil by legal name and date of birth only when that
is unique. Re-importing the same file changes nothing. With `full_roll`, a pupil on roll
and missing from the file is marked as left with the date, never deleted. The DSL's
flags are never touched. Everything is written in one transaction and audited as one
event with the counts and the file's SHA-256.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import today
from kiosk.imports.common import (
    MAX_BYTES, ImportFileError, ParsedRoll, RefusedRow, RollRow, read_roll, year_from_birth,
)
from kiosk.services import audit
from kiosk.services.actor import Actor, require

# More pupils than this sharing one contact or address are not linked as siblings: a
# children's home, a boarding house or a shared carer is not a family.
MAX_FAMILY = 6

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class PupilChange:
    pupil_id: int
    name: str
    what: tuple[str, ...]  # "year 7 -> 8", "form 7A -> 8A", "name ...", "UPN ...", "rejoined"


@dataclass(frozen=True)
class PlannedLeaver:
    pupil_id: int
    name: str
    year_group: int
    has_records: bool  # any concern or early-help record: the CP file must follow them


@dataclass
class ImportPlan:
    file_name: str
    sha256: str
    kind: str
    source: str
    full_roll: bool
    rows: int
    joiners: list[RollRow] = field(default_factory=list)
    changes: list[PupilChange] = field(default_factory=list)
    leavers: list[PlannedLeaver] = field(default_factory=list)
    refused: list[RefusedRow] = field(default_factory=list)
    unchanged: int = 0
    new_sibling_links: int = 0
    notes: list[str] = field(default_factory=list)
    # For the writer: pupil id -> column values; row line -> matched pupil id.
    _updates: dict[int, dict] = field(default_factory=dict, repr=False)
    _matched: dict[int, int] = field(default_factory=dict, repr=False)
    _rows: list[RollRow] = field(default_factory=list, repr=False)
    # New sibling pairs: ("p", id, id) between matched pupils, ("r", line, line) with a joiner.
    _pairs: set[tuple] = field(default_factory=set, repr=False)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows, "joiners": len(self.joiners), "changed": len(self.changes),
            "unchanged": self.unchanged, "leavers": len(self.leavers),
            "refused": len(self.refused), "sibling_links": self.new_sibling_links,
        }

    @property
    def changes_anything(self) -> bool:
        return bool(self.joiners or self.changes or self.leavers or self.new_sibling_links)


@dataclass(frozen=True)
class ImportResult:
    plan: ImportPlan
    written: bool
    audit_seq: int | None


def read_file(path: str) -> tuple[bytes, str]:
    """The file's bytes and its name for messages; one-line errors for what goes wrong."""
    name = os.path.basename(path) or path
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise ImportFileError(
                f"{name}: the file is too large ({size / 1048576:.1f} MB; at most "
                f"{MAX_BYTES // 1048576} MB): export the pupils' basic details only")
        with open(path, "rb") as fh:
            return fh.read(MAX_BYTES + 1), name
    except OSError as exc:
        raise ImportFileError(f"{name}: cannot read the file ({exc.strerror})") from None


def _name_key(first: str, last: str, dob: date) -> tuple[str, str, date]:
    return (" ".join(first.lower().split()), " ".join(last.lower().split()), dob)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _year(v: int | None) -> str:
    return "?" if v is None else ("R" if v == 0 else ("N" if v < 0 else str(v)))


def plan_import(actor: Actor, data: bytes, name: str, *, full_roll: bool = False,
                mapping: dict[str, str] | None = None) -> ImportPlan:
    """What importing this file would change (nothing is written; the preview is audited)."""
    require(actor, Cap.PUPIL_MANAGE)
    parsed = read_roll(data, name, mapping)
    with dbmod.translate_errors():
        plan = _plan(parsed, data, name, full_roll)
    return plan


def _plan(parsed: ParsedRoll, data: bytes, name: str, full_roll: bool) -> ImportPlan:
    from kiosk.models.pupils import NOT_ON_ROLL, ON_ROLL, Pupil, PupilLink

    plan = ImportPlan(file_name=name, sha256=hashlib.sha256(data).hexdigest(), kind=parsed.kind,
                      source=parsed.source, full_roll=full_roll, rows=len(parsed.rows) + len(parsed.refused),
                      refused=list(parsed.refused))
    cols = (Pupil.id, Pupil.upn, Pupil.former_upn, Pupil.first_name, Pupil.last_name,
            Pupil.preferred_name, Pupil.date_of_birth, Pupil.year_group, Pupil.form_group,
            Pupil.admission_number, Pupil.sex, Pupil.active, Pupil.status, Pupil.left_on)
    pupils = {p.id: p for p in Pupil.select(*cols).where(Pupil.merged_into.is_null()).namedtuples()}
    by_upn: dict[str, int] = {}
    by_former: dict[str, int] = {}
    by_name: dict[tuple, list[int]] = {}
    not_on_roll: dict[tuple, list[int]] = {}
    for p in pupils.values():
        if p.status == NOT_ON_ROLL:
            not_on_roll.setdefault(_name_key(p.first_name, p.last_name, p.date_of_birth), []).append(p.id)
            continue
        if p.upn:
            by_upn[p.upn] = p.id
        if p.former_upn:
            by_former[p.former_upn] = p.id
        by_name.setdefault(_name_key(p.first_name, p.last_name, p.date_of_birth), []).append(p.id)

    claimed: dict[int, int] = {}  # pupil id -> the row line that matched it
    kept: list[RollRow] = []
    for row in parsed.rows:
        pid = None
        if row.upn:
            pid = by_upn.get(row.upn) or by_former.get(row.upn)
        if pid is None and row.former_upn:
            pid = by_upn.get(row.former_upn)
        if pid is None:
            candidates = by_name.get(_name_key(row.first_name, row.last_name, row.date_of_birth), [])
            if row.upn:
                # A pupil added by hand before the MIS gave them a UPN.
                candidates = [c for c in candidates if not pupils[c].upn]
            if len(candidates) > 1:
                plan.refused.append(RefusedRow(row.line, row.label,
                                               f"matches {len(candidates)} pupils by name and date of birth; give the UPN"))
                continue
            if candidates:
                pid = candidates[0]
        if pid is not None and pid in claimed:
            plan.refused.append(RefusedRow(row.line, row.label, f"matches the same pupil as row {claimed[pid]}"))
            continue
        kept.append(row)
        if pid is None:
            plan.joiners.append(row)
            nor = not_on_roll.get(_name_key(row.first_name, row.last_name, row.date_of_birth))
            if nor:
                plan.notes.append(f"{row.label} (joining) has the name and date of birth of a child "
                                  f"recorded as not on roll: the DSL team can match them")
            continue
        claimed[pid] = row.line
        plan._matched[row.line] = pid
        p = pupils[pid]
        upd, what = _differences(p, row)
        if p.status == ON_ROLL and not p.active:
            upd.update(active=True, left_on=None)
            what.append("rejoined")
        if upd:
            plan._updates[pid] = upd
            plan.changes.append(PupilChange(pid, f"{p.first_name} {p.last_name}", tuple(what)))
        else:
            plan.unchanged += 1
    plan._rows = kept
    plan.refused.sort(key=lambda r: r.line)

    if full_roll:
        missing = [p for p in pupils.values()
                   if p.status == ON_ROLL and p.active and p.id not in claimed]
        with_records = ids_with_records([p.id for p in missing])
        plan.leavers = [PlannedLeaver(p.id, f"{p.first_name} {p.last_name}", p.year_group, p.id in with_records)
                        for p in sorted(missing, key=lambda p: (p.last_name.lower(), p.first_name.lower()))]

    # Siblings: rows sharing a key. Joiners have no id yet; count their pairs as new.
    groups: dict[str, list[RollRow]] = {}
    for row in kept:
        for key in row.family_keys:
            groups.setdefault(key, []).append(row)
    existing = {(a, b) for a, b in PupilLink.select(PupilLink.pupil_a, PupilLink.pupil_b).tuples()}
    pairs: set[tuple] = set()
    big = 0
    for key, rows in groups.items():
        if len(rows) < 2:
            continue
        if len(rows) > MAX_FAMILY:
            big += 1
            continue
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                ia, ib = plan._matched.get(a.line), plan._matched.get(b.line)
                if ia is not None and ib is not None:
                    if _pair(ia, ib) in existing:
                        continue  # linked already, or unlinked by the DSL: left as it is
                    pairs.add(("p", *_pair(ia, ib)))
                else:
                    pairs.add(("r", *sorted((a.line, b.line))))
    if big:
        plan.notes.append(f"{big} contact(s) or address(es) shared by more than {MAX_FAMILY} pupils: "
                          "not linked as siblings (the DSL team can link by hand)")
    plan._pairs = pairs
    plan.new_sibling_links = len(pairs)
    return plan


def _differences(p, row: RollRow) -> tuple[dict, list[str]]:
    upd: dict = {}
    what: list[str] = []
    if (row.first_name, row.last_name) != (p.first_name, p.last_name):
        upd.update(first_name=row.first_name, last_name=row.last_name,
                   first_key=row.first_name.lower(), last_key=row.last_name.lower())
        what.append(f"name {p.first_name} {p.last_name} -> {row.first_name} {row.last_name}")
    preferred = row.preferred_first if row.preferred_first != row.first_name else ""
    if preferred != p.preferred_name:
        upd.update(preferred_name=preferred, preferred_key=preferred.lower())
        what.append(f"preferred name -> {preferred or '(none)'}")
    if row.date_of_birth != p.date_of_birth:
        upd["date_of_birth"] = row.date_of_birth
        what.append("date of birth corrected")
    if row.year_group is not None and row.year_group != p.year_group:
        upd["year_group"] = row.year_group
        what.append(f"year {_year(p.year_group)} -> {_year(row.year_group)}")
    if row.form_group and row.form_group != p.form_group:
        upd["form_group"] = row.form_group
        what.append(f"form {p.form_group or '-'} -> {row.form_group}")
    if row.upn and row.upn != p.upn:
        upd["upn"] = row.upn
        what.append(f"UPN {p.upn or '(none)'} -> {row.upn}")
        if p.upn and not row.former_upn:
            upd["former_upn"] = p.upn
    if row.former_upn and row.former_upn != p.former_upn and row.former_upn != (upd.get("upn") or p.upn):
        upd["former_upn"] = row.former_upn
        if not what or not what[-1].startswith("UPN"):
            what.append(f"former UPN {row.former_upn}")
    if row.admission_number and row.admission_number != p.admission_number:
        upd["admission_number"] = row.admission_number
        what.append("admission number")
    if row.sex and row.sex != p.sex:
        upd["sex"] = row.sex
        what.append("sex")
    return upd, what


def ids_with_records(ids: list[int]) -> set[int]:
    """Pupils among `ids` with any concern or early-help record."""
    if not ids:
        return set()
    from kiosk.models.concerns import ConcernPupil

    found: set[int] = set()
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        found |= {r for (r,) in ConcernPupil.select(ConcernPupil.pupil).where(ConcernPupil.pupil.in_(part)).tuples()}
        try:
            from kiosk.models import early_help as eh
        except ImportError:  # pragma: no cover - early help is part of the package
            continue
        for model in (eh.EarlyHelpReferral, eh.EarlyHelpEnrolment, eh.EarlyHelpAttendance, eh.AgencyReferral):
            found |= {r for (r,) in model.select(model.pupil).where(model.pupil.in_(part)).tuples()}
    return found


def run_import(actor: Actor, data: bytes, name: str, *, full_roll: bool = False,
               mapping: dict[str, str] | None = None, dry_run: bool = False,
               progress: Progress | None = None, expect_sha256: str | None = None) -> ImportResult:
    """Plan, then (unless a dry run) write it all in one transaction with one audit event.

    `expect_sha256`: the hash of the file that was previewed; a file changed since is refused.
    """
    require(actor, Cap.PUPIL_MANAGE)
    if expect_sha256 is not None and hashlib.sha256(data).hexdigest() != expect_sha256:
        raise ImportFileError(f"{name}: the file has changed since the preview; preview it again")
    parsed = read_roll(data, name, mapping)
    from kiosk.models.pupils import ON_ROLL, Pupil, PupilLink

    with dbmod.write():
        # Planned under the write lock, so nothing changes between the plan and the write.
        plan = _plan(parsed, data, name, full_roll)
        detail = {"file": name[:200], "sha256": plan.sha256, "kind": plan.kind,
                  "full_roll": full_roll, **plan.counts}
        if dry_run:
            seq = audit.record(actor, "pupil.import.preview", "roll", "", detail)
            return ImportResult(plan, False, seq)
        total = len(plan.joiners) + len(plan._updates) + len(plan.leavers) + plan.new_sibling_links
        done = 0
        step = max(1, total // 100)

        def tick(n: int = 1) -> None:
            nonlocal done
            done += n
            if progress is not None and (done % step == 0 or done == total):
                progress(done, total)

        on = today()
        line_to_id = dict(plan._matched)
        # Joiners in batches (one INSERT per pupil was most of the time for a whole school);
        # RETURNING gives each its id, matched back by UPN, else name and date of birth.
        pending: dict[tuple, list[int]] = {}
        for row in plan.joiners:
            pending.setdefault(_joiner_key(row.upn, row.first_name, row.last_name, row.date_of_birth), []).append(row.line)
        for chunk in range(0, len(plan.joiners), 200):
            batch = plan.joiners[chunk:chunk + 200]
            cursor = (Pupil.insert_many([_joiner_values(row, on) for row in batch])
                      .returning(Pupil.id, Pupil.upn, Pupil.first_name, Pupil.last_name, Pupil.date_of_birth)
                      .tuples()
                      .execute())
            for pid, upn, first, last, born in cursor:
                if isinstance(born, str):
                    born = date.fromisoformat(born)
                line_to_id[pending[_joiner_key(upn, first, last, born)].pop(0)] = pid
            tick(len(batch))
        for pid, upd in plan._updates.items():
            Pupil.update(upd).where(Pupil.id == pid).execute()
            tick()
        leaver_ids = [lv.pupil_id for lv in plan.leavers]
        for chunk in range(0, len(leaver_ids), 500):
            part = leaver_ids[chunk:chunk + 500]
            Pupil.update(active=False, left_on=on).where(Pupil.id.in_(part)).execute()
            tick(len(part))
        links = []
        for kind, a, b in sorted(plan._pairs):
            ia, ib = (a, b) if kind == "p" else (line_to_id[a], line_to_id[b])
            links.append(dict(zip(("pupil_a", "pupil_b"), _pair(ia, ib)), source="import"))
        for chunk in range(0, len(links), 200):
            PupilLink.insert_many(links[chunk:chunk + 200]).on_conflict_ignore().execute()
            tick(len(links[chunk:chunk + 200]))
        seq = audit.record(actor, "pupil.import", "roll", "", detail)
    return ImportResult(plan, True, seq)


def _joiner_key(upn, first, last, born) -> tuple:
    return (upn,) if upn else ("", first, last, born)


def _joiner_values(row: RollRow, on: date) -> dict:
    from kiosk.models.pupils import ON_ROLL

    preferred = row.preferred_first if row.preferred_first != row.first_name else ""
    return dict(
        upn=row.upn or None, former_upn=row.former_upn or None, first_name=row.first_name,
        last_name=row.last_name, preferred_name=preferred, date_of_birth=row.date_of_birth,
        year_group=row.year_group if row.year_group is not None else year_from_birth(row.date_of_birth, on),
        form_group=row.form_group, admission_number=row.admission_number, sex=row.sex,
        first_key=row.first_name.lower(), last_key=row.last_name.lower(),
        preferred_key=preferred.lower(), status=ON_ROLL,
    )


def import_file(actor: Actor, path: str, **kw) -> ImportResult:
    # Checked before the file is opened: a refused user learns nothing of it.
    require(actor, Cap.PUPIL_MANAGE)
    data, name = read_file(path)
    return run_import(actor, data, name, **kw)


def describe(plan: ImportPlan, written: bool, limit: int | None = 50) -> list[str]:
    """The plan as lines of plain text (the CLI prints them; the console shows them)."""
    c = plan.counts
    out = [f"{plan.file_name}: {plan.kind}" + (f" from {plan.source}" if plan.kind != "CSV" and plan.source else "")
           + f", {c['rows']} rows, SHA-256 {plan.sha256[:16]}...",
           f"{'' if written else 'Dry run: nothing changed. '}"
           f"{c['joiners']} joining, {c['changed']} changed, {c['unchanged']} unchanged, "
           f"{c['leavers']} leaving, {c['refused']} refused, {c['sibling_links']} new sibling links"
           + ("" if plan.full_roll else " (not a full roll: nobody is marked as left)")]

    def section(title, items):
        if not items:
            return
        out.append(f"{title} ({len(items)}):")
        for text in items[:limit] if limit else items:
            out.append(f"  {text}")
        if limit and len(items) > limit:
            out.append(f"  ... and {len(items) - limit} more")

    section("Joining" if written else "Would join",
            [f"{r.label}, born {r.date_of_birth:%d/%m/%Y}, year {_year(r.year_group)}"
             + (f", {r.form_group}" if r.form_group else "") for r in plan.joiners])
    section("Changed" if written else "Would change", [f"{ch.name}: {'; '.join(ch.what)}" for ch in plan.changes])
    section("Left" if written else "Would be marked as left",
            [f"{lv.name}, year {_year(lv.year_group)}"
             + (" - has safeguarding records: child protection file to transfer" if lv.has_records else "")
             for lv in plan.leavers])
    section("Refused", [f"line {r.line}: {r.who}: {r.reason}" for r in plan.refused])
    for note in plan.notes:
        out.append(f"Note: {note}")
    return out
