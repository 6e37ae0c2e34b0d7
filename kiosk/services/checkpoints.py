"""Signed checkpoints of the audit chain, kept outside the database.

Every N events (`checkpoint_every`, default 1000) and at every backup, one line is appended
to the checkpoint log beside the data dir (kiosk.keys.checkpoint_log_path):

    {"seq": 4000, "head": "<hash of event 4000>", "at": "...", "reason": "every", "sig": "<base64>"}

signed with the Ed25519 key that lives beside it (never in the database). Someone who
can write the database but not the key cannot make the chain agree with the log again:

- deleting the newest events and rewriting the head row leaves a checkpoint beyond the end;
- changing an event and recomputing every hash after it changes the hash at a checkpoint;
- rewriting the head row to anything else is caught by the chain walk itself.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from kiosk import keys
from kiosk.clock import utcnow


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head: str
    at: str
    reason: str
    signed: bool  # the signature verified with the public key


def _body(seq: int, head: str, at: str, reason: str) -> bytes:
    return json.dumps({"at": at, "head": head, "reason": reason, "seq": seq},
                      sort_keys=True, separators=(",", ":")).encode()


def write_checkpoint(settings, seq: int, head: str, reason: str = "every") -> Checkpoint:
    at = utcnow().isoformat(timespec="seconds")
    from kiosk import crypto_child

    sig = crypto_child.sign_checkpoint(settings, _body(seq, head, at, reason))
    line = json.dumps({"seq": seq, "head": head, "at": at, "reason": reason,
                       "sig": base64.b64encode(sig).decode()}, sort_keys=True) + "\n"
    path = keys.checkpoint_log_path(settings)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return Checkpoint(seq, head, at, reason, True)


def read_log(path: Path, public_key) -> tuple[list[Checkpoint], list[str]]:
    from cryptography.exceptions import InvalidSignature

    out: list[Checkpoint] = []
    problems: list[str] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return [], [f"{path}: no checkpoint log"]
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            seq, head, at, reason = int(d["seq"]), str(d["head"]), str(d["at"]), str(d.get("reason", ""))
            sig = base64.b64decode(d["sig"])
        except (ValueError, KeyError, TypeError):
            problems.append(f"{path}: line {n} is not a checkpoint")
            continue
        try:
            public_key.verify(sig, _body(seq, head, at, reason))
            signed = True
        except InvalidSignature:
            signed = False
            problems.append(f"{path}: line {n} (event {seq}) has a bad signature (the log was edited)")
        out.append(Checkpoint(seq, head, at, reason, signed))
    return out, problems


def check_database(checkpoints: list[Checkpoint]) -> list[str]:
    """Compare the bound database's chain with each signed checkpoint."""
    from kiosk.db import db
    from kiosk.models import AuditEvent

    problems: list[str] = []
    good = [c for c in checkpoints if c.signed]
    if not good:
        return problems
    last = db.execute_sql(*AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1).sql()).fetchone()
    last_seq = last[0] if last else 0
    beyond = [c for c in good if c.seq > last_seq]
    if beyond:
        top = max(beyond, key=lambda c: c.seq)
        problems.append(
            f"the audit trail ends at event {last_seq} but the checkpoint of {top.at} saw event {top.seq}: "
            f"events {last_seq + 1} to {top.seq} were removed (truncated tail)"
        )
    for c in sorted(good, key=lambda c: c.seq):
        if c.seq > last_seq:
            continue
        row = db.execute_sql(*AuditEvent.select(AuditEvent.hash).where(AuditEvent.seq == c.seq).sql()).fetchone()
        if row is None:
            problems.append(f"event {c.seq} (checkpoint of {c.at}) is missing")
        elif row[0] != c.head:
            problems.append(
                f"event {c.seq} no longer has the hash the checkpoint of {c.at} signed: "
                "the chain was rewritten and recomputed up to there"
            )
            break
    return problems
