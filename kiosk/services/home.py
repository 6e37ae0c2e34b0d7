"""The numbers on each home screen, gathered from every domain that has some.

Each domain's service has `home_counts(actor) -> list[HomeCount]` (listed in `_domains`);
the casework one also audits the due follow-ups it counts when the home is opened.
One domain failing must not take the home screen down at a shared terminal: its failure
shows as a count of "?" (and is logged), never a crash.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk.capabilities import Cap

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class HomeCount:
    label: str
    value: int | str
    urgent: bool = False
    key: str | None = None  # the menu key that opens the list behind the number


def _domains(opened: bool):
    # Imported here, not at the top: each domain builds its HomeCounts from this module.
    from kiosk.services import accounts, adults, casework, concerns, early_help, pupils

    return (("concerns", concerns.home_counts),
            ("casework", lambda actor: casework.home_counts(actor, opened=opened)),
            ("early help", early_help.home_counts), ("adults", adults.home_counts),
            ("pupils", pupils.home_counts), ("accounts", accounts.home_counts))


def _domain_counts(actor, name: str, fn) -> list[HomeCount]:
    try:
        return list(fn(actor))
    except Exception:  # noqa: BLE001 - one domain must not blank everyone's home screen
        log.exception("home counts from %s failed", name)
        return [HomeCount(f"{name.capitalize()}: could not be counted", "?", urgent=True)]


def home_counts(actor, profile=None, opened: bool = False) -> list[HomeCount]:
    """Every count for the actor's home. `opened`: the home is being shown (signed in, or
    back from another screen), so what it shows is audited, once; False for a refresh of
    the home already showing (an alert arrived)."""
    from kiosk.services.actor import require_signed_in

    require_signed_in(actor)
    out: list[HomeCount] = []
    for name, fn in _domains(opened):
        out.extend(_domain_counts(actor, name, fn))
    if actor.can(Cap.EXPORT_TRANSFER):
        from kiosk.services import transfers

        out.extend(_domain_counts(actor, "transfers", lambda a: transfers.home_counts(a, profile)))
    if profile is not None and actor.can(Cap.SIGNOFF_STATUS):
        from kiosk.services import signoff

        n = signoff.unsigned_count(actor, profile)
        out.append(HomeCount(f"Staff yet to sign procedures v{profile.procedures_version}", n,
                             urgent=n > 0, key="n"))
    if profile is not None and actor.can(Cap.SIGNOFF_STATUS):
        out.extend(_procedures_review_counts(profile))
    # What needs acting on first, and noughts last: at 80x24 the home shows about nine
    # counts, and on the demo school the head's "LADO contact OVERDUE" and "Procedures review
    # overdue" were below them.
    out.sort(key=lambda count: (not count.urgent, count.value == 0))
    return out


def _procedures_review_counts(profile) -> list[HomeCount]:
    """Paragraph 19: the procedures are reviewed at least annually; say so once it is late."""
    from kiosk.clock import today
    from kiosk.rules.procedures import review_overdue

    if not review_overdue(profile, today()):
        return []
    return [HomeCount(f"Procedures review overdue since {profile.next_review:%d %b %Y} "
                      "(para 19)", "!", urgent=True, key="d")]
