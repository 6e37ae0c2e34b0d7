"""Early help: the offer (from the profile, and what the school adds, renames and retires)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable


from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import utcnow
from kiosk.errors import ValidationError
from kiosk.services import audit, people
from kiosk.services.actor import Actor, require
from kiosk.text import clean

from kiosk.services.early_help.common import (
    FREQUENCIES,
    NOTE_MAX,
    OFFER_KINDS,
    OfferChangeView,
    OfferView,
    all_names,
    fk_id,
    offer_row,
    offer_view,
    profile_or_default,
    staff_user_id,
)


# ---------------------------------------------------------------------------------------------
# The offer
# ---------------------------------------------------------------------------------------------


def sync_offers(actor: Actor, profile=None) -> list[OfferView]:
    """Bring the profile's offers into the database: add new keys, follow profile renames.

    An offer renamed or retired in the console keeps what the school chose; an offer that
    has left the profile stays (history refers to it) until the school retires it.
    """
    require(actor, Cap.EARLY_HELP_VIEW)
    sync_offers_inside(actor, profile_or_default(profile))
    return list_offers(actor, include_retired=True)


def sync_offers_inside(actor: Actor, prof) -> None:
    from kiosk.models.early_help import EarlyHelpOffer as O, EarlyHelpOfferChange as C

    existing = {o.key: o for o in O.select()}
    wanted = []
    for offer in prof.offers:
        row = existing.get(offer.key)
        if row is None or (row.from_profile and not row.renamed_in_console and row.name != offer.name):
            wanted.append(offer)
    if wanted:
        with dbmod.write():
            existing = {o.key: o for o in O.select()}
            added, renamed = [], []
            for offer in wanted:
                row = existing.get(offer.key)
                if row is None:
                    row = O.create(key=offer.key, name=offer.name, kind=offer.kind,
                                   frequency=offer.frequency, audience=offer.audience or "",
                                   description=offer.description or "", from_profile=True)
                    C.create(offer=row, change="add", new_name=offer.name, reason="from the school profile")
                    added.append(offer.key)
                elif row.from_profile and not row.renamed_in_console and row.name != offer.name:
                    C.create(offer=row, change="profile_rename", old_name=row.name, new_name=offer.name,
                             reason="renamed in the school profile")
                    O.update(name=offer.name).where(O.id == row.id).execute()
                    renamed.append(offer.key)
            if added or renamed:
                audit.record(actor, "early_help.offers_sync", "early_help_offer", "",
                             {"added": added, "renamed": renamed})


def list_offers(actor: Actor, include_retired: bool = False, kinds: Iterable[str] | None = None) -> list[OfferView]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import EarlyHelpOffer as O

    q = O.select().order_by(O.retired_at.is_null(False), O.id)
    if not include_retired:
        q = q.where(O.retired_at.is_null())
    if kinds is not None:
        q = q.where(O.kind.in_(list(kinds)))
    return [offer_view(o) for o in q]


def offer_history(actor: Actor, offer_id: int) -> list[OfferChangeView]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import EarlyHelpOfferChange as C

    names = all_names()
    q = C.select().where(C.offer == offer_id).order_by(C.id)
    return [OfferChangeView(c.change, c.old_name, c.new_name, c.reason,
                            names.get(fk_id(c, "by"), "school profile"), c.at) for c in q]


def _slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not s or not s[0].isalpha():
        s = "offer_" + s
    return s[:50]


def add_offer(actor: Actor, name: str, kind: str, frequency: str, audience: str = "",
              description: str = "") -> OfferView:
    require(actor, Cap.EARLY_HELP_OFFERS)
    from kiosk.models.early_help import EarlyHelpOffer as O, EarlyHelpOfferChange as C

    uid = staff_user_id(actor)
    title = clean(name, "name", required=True)
    if kind not in OFFER_KINDS:
        raise ValidationError("kind", f"choose one of: {', '.join(OFFER_KINDS)}")
    if frequency not in FREQUENCIES:
        raise ValidationError("frequency", f"choose one of: {', '.join(FREQUENCIES)}")
    aud = clean(audience, "audience")
    desc = clean(description, "description", multiline=True, max_length=NOTE_MAX)
    with dbmod.write():
        if O.select().where(O.name == title).exists():
            raise ValidationError("name", f"there is already an offer called {title!r}")
        base = "school_" + _slug(title)
        key, n = base, 2
        while O.select().where(O.key == key).exists():
            key, n = f"{base}_{n}", n + 1
        row = O.create(key=key, name=title, kind=kind, frequency=frequency, audience=aud,
                       description=desc, from_profile=False)
        C.create(offer=row, change="add", new_name=title, by=uid)
        audit.record(actor, "early_help.offer_add", "early_help_offer", row.id, {"key": key})
    return offer_view(row)


def rename_offer(actor: Actor, offer_id: int, new_name: str, reason: str = "") -> OfferView:
    require(actor, Cap.EARLY_HELP_OFFERS)
    from kiosk.models.early_help import EarlyHelpOffer as O, EarlyHelpOfferChange as C

    uid = staff_user_id(actor)
    title = clean(new_name, "new_name", required=True, label="new name")
    why = clean(reason, "reason", multiline=True, max_length=NOTE_MAX)
    with dbmod.write():
        row = offer_row(offer_id)
        if row.name == title:
            raise ValidationError("new_name", "is the same as the current name", "new name")
        if O.select().where((O.name == title) & (O.id != row.id)).exists():
            raise ValidationError("new_name", f"there is already an offer called {title!r}", "new name")
        C.create(offer=row, change="rename", old_name=row.name, new_name=title, reason=why, by=uid)
        O.update(name=title, renamed_in_console=True).where(O.id == row.id).execute()
        audit.record(actor, "early_help.offer_rename", "early_help_offer", row.id,
                     {"old": row.name, "new": title})
        row = O.get_by_id(row.id)
    return offer_view(row)


def retire_offer(actor: Actor, offer_id: int, reason: str) -> OfferView:
    """No new sessions or enrolments; everything recorded under it stays readable."""
    require(actor, Cap.EARLY_HELP_OFFERS)
    from kiosk.models.early_help import EarlyHelpOffer as O, EarlyHelpOfferChange as C

    uid = staff_user_id(actor)
    why = clean(reason, "reason", required=True, multiline=True, max_length=NOTE_MAX)
    with dbmod.write():
        row = offer_row(offer_id)
        if row.retired_at is not None:
            raise ValidationError("offer", f"{row.name!r} is already retired")
        C.create(offer=row, change="retire", old_name=row.name, new_name=row.name, reason=why, by=uid)
        O.update(retired_at=utcnow()).where(O.id == row.id).execute()
        audit.record(actor, "early_help.offer_retire", "early_help_offer", row.id)
        row = O.get_by_id(row.id)
    return offer_view(row)


def restore_offer(actor: Actor, offer_id: int, reason: str = "") -> OfferView:
    require(actor, Cap.EARLY_HELP_OFFERS)
    from kiosk.models.early_help import EarlyHelpOffer as O, EarlyHelpOfferChange as C

    uid = staff_user_id(actor)
    why = clean(reason, "reason", multiline=True, max_length=NOTE_MAX)
    with dbmod.write():
        row = offer_row(offer_id)
        if row.retired_at is None:
            raise ValidationError("offer", f"{row.name!r} is not retired")
        C.create(offer=row, change="restore", old_name=row.name, new_name=row.name, reason=why, by=uid)
        O.update(retired_at=None).where(O.id == row.id).execute()
        audit.record(actor, "early_help.offer_restore", "early_help_offer", row.id)
        row = O.get_by_id(row.id)
    return offer_view(row)


# ---------------------------------------------------------------------------------------------
# Staff who can pick up work
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffOption:
    user_id: int
    name: str






def keyworkers(actor: Actor) -> list[StaffOption]:
    """Active staff whose roles may run early help (to pick up a referral or be keyworker)."""
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.capabilities import CAPABILITIES

    roles = [r for r, caps in CAPABILITIES.items() if Cap.EARLY_HELP_MANAGE in caps]
    return [StaffOption(p.id, p.name) for p in people.with_roles(roles)]
