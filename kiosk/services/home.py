"""The numbers on each home screen, gathered from every domain that has some.

Each domain module may define `home_counts(actor) -> list[HomeCount]`; a module not
written yet is skipped. One domain failing must not take the home screen down at a
shared terminal: its failure shows as a count of "?" (and is logged), never a crash.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from kiosk.capabilities import Cap

log = logging.getLogger(__name__)

DOMAIN_MODULES = ("kiosk.services.concerns", "kiosk.services.casework", "kiosk.services.early_help",
                  "kiosk.services.adults", "kiosk.services.pupils", "kiosk.services.accounts")


@dataclass(frozen=True)
class HomeCount:
    label: str
    value: int | str
    urgent: bool = False
    key: str | None = None  # the menu key that opens the list behind the number


def _domain_counts(actor, name: str) -> list[HomeCount]:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return []
        raise
    fn = getattr(module, "home_counts", None)
    if fn is None:
        return []
    try:
        return list(fn(actor))
    except Exception:  # noqa: BLE001 - one domain must not blank everyone's home screen
        log.exception("home counts from %s failed", name)
        return [HomeCount(f"{name.rsplit('.', 1)[-1].replace('_', ' ').capitalize()}: could not be counted", "?", urgent=True)]


def home_counts(actor, profile=None) -> list[HomeCount]:
    from kiosk.services.actor import require_signed_in

    require_signed_in(actor)
    out: list[HomeCount] = []
    for name in DOMAIN_MODULES:
        out.extend(_domain_counts(actor, name))
    if actor.can(Cap.EXPORT_TRANSFER):
        from kiosk.services import transfers

        try:
            out.extend(transfers.home_counts(actor, profile))
        except Exception:  # noqa: BLE001 - as for the domains above
            log.exception("home counts from transfers failed")
            out.append(HomeCount("Transfers: could not be counted", "?", urgent=True))
    if profile is not None and actor.can(Cap.SIGNOFF_STATUS):
        from kiosk.services import signoff

        n = signoff.unsigned_count(actor, profile)
        out.append(HomeCount(f"Staff yet to sign procedures v{profile.procedures_version}", n,
                             urgent=n > 0, key="n"))
    if profile is not None and actor.can(Cap.SIGNOFF_STATUS):
        out.extend(_procedures_review_counts(profile))
    # What needs acting on first: at 80x24 the home shows about nine counts, and on the demo
    # school the head's "LADO contact OVERDUE" and "Procedures review overdue" were below them.
    out.sort(key=lambda count: not count.urgent)
    return out


def _procedures_review_counts(profile) -> list[HomeCount]:
    """Paragraph 19: the procedures are reviewed at least annually; say so once it is late."""
    from kiosk.clock import today
    from kiosk.rules.procedures import review_overdue

    if not review_overdue(profile, today()):
        return []
    return [HomeCount(f"Procedures review overdue since {profile.next_review:%d %b %Y} "
                      "(para 19)", "!", urgent=True, key="d")]
