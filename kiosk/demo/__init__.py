"""`kiosk demo`: a fictional school (made-up names only) with one account per role.

Seeding is idempotent: a second run finds the Meta flag and reuses the data. Each
domain adds its own records through a module beside this one exposing
`seed(ctx: DemoContext) -> None`, called in turn by `seed_domains`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from kiosk.services.actor import Actor

DEMO_PASSWORD = "kiosk-demo-pass"

# username, full name, roles. Names carry no role: the console adds the role where it
# matters, and the demo profile (kiosk/demo/profile.py) names the same people.
DEMO_ACCOUNTS = (
    ("teacher", "Ms Priya Lawson", ("staff",)),
    ("volunteer", "Mr Tom Reeve", ("staff",)),
    ("pastoral", "Mrs Jan Okafor", ("pastoral",)),
    ("dsl", "Mrs Alison Smith", ("dsl",)),
    ("deputy", "Mr Daniel Hart", ("deputy_dsl",)),
    ("deputy2", "Ms Rosa Quinn", ("deputy_dsl",)),
    ("head", "Dr Helen Marsh", ("headteacher",)),
    ("governor", "Mr Colin Fry", ("governor",)),
    ("itadmin", "Sam Patel", ("admin",)),
    ("director", "Mrs Grace Bell", ("director_of_education",)),
    ("trustlead", "Ms Sarah Watts", ("trust_safeguarding_lead",)),
)


FIRST_NAMES = (
    "Amara", "Ben", "Chloe", "Dylan", "Ella", "Finley", "Grace", "Harvey", "Isla", "Jacob",
    "Kai", "Layla", "Mason", "Nia", "Oscar", "Poppy", "Quinn", "Ruby", "Sami", "Tilly",
    "Umar", "Violet", "Will", "Xander", "Yasmin", "Zach", "Aisha", "Brodie", "Cerys", "Deji",
    "Evie", "Frankie", "Hana", "Idris", "Jess", "Leo", "Maya", "Noah", "Orla", "Pavel",
)
LAST_NAMES = (
    "Abbott", "Brennan", "Carver", "Dunmore", "Ellwood", "Fairbairn", "Garside", "Holloway",
    "Ingram", "Jarvis", "Kettle", "Lockwood", "Marlow", "Nettleton", "Ormsby", "Pennick",
    "Quarry", "Rushworth", "Saltmarsh", "Thackeray", "Underhill", "Varley", "Wickham",
    "Yardley", "Ashdown", "Blackmore", "Cobbold", "Denholm", "Eastwood", "Felgate",
)


def domain_seeders() -> tuple:
    """Each domain's seeding module, in order."""
    # Imported here: each domain's seeder imports DemoContext from this module.
    from kiosk.demo import adults, concerns, early_help

    return (concerns, early_help, adults)


@dataclass
class DemoContext:
    users: dict[str, Actor]  # username -> Actor
    pupil_ids: list[int]
    rng: random.Random
    today: date
    notes: list[str] = field(default_factory=list)

    def by_role(self, role: str) -> Actor:
        for actor in self.users.values():
            if any(r.value == role for r in actor.roles):
                return actor
        raise KeyError(role)


def seed(pupils: int = 200) -> list[tuple[str, str, str]]:
    """Seed the bound database once. Returns (username, password, roles) for printing."""
    from kiosk import db as dbmod
    from kiosk.clock import today
    from kiosk.models import Meta, User
    from kiosk.services import accounts, pupils as pupil_service
    from kiosk.services.actor import shell_actor

    logins = [(u, DEMO_PASSWORD, ", ".join(r)) for u, _, r in DEMO_ACCOUNTS]
    if Meta.get_or_none(Meta.key == "demo_seeded"):
        return logins
    admin = shell_actor("shell:demo", setup=True)
    for username, full_name, roles in DEMO_ACCOUNTS:
        if not User.select().where(User.username == username).exists():
            accounts.create_user(admin, username, full_name, roles, DEMO_PASSWORD, must_change=False)
    users = {u.username: accounts.actor_for(u, "shell:demo") for u in User.select()}
    dsl = users["dsl"]
    rng = random.Random(20261128)
    now = today()
    ids = []
    with dbmod.write():
        for i in range(pupils):
            year = 5 + i % 4
            # Year 5 pupils are 9-10 on 1 September; born Sept-Aug.
            sept = date(now.year if now.month >= 9 else now.year - 1, 9, 1)
            born = sept - timedelta(days=365 * (year + 5) - rng.randint(0, 364))
            flags = {}
            roll = rng.random()
            if roll < 0.03:
                flags["cp_plan"] = True
            elif roll < 0.07:
                flags["child_in_need"] = True
            if rng.random() < 0.02:
                flags["looked_after"] = True
            if rng.random() < 0.05:
                flags["young_carer"] = True
            if rng.random() < 0.12:
                flags["send"] = True
            if rng.random() < 0.3:
                flags["phone_disclaimer"] = True
            p = pupil_service.add_pupil(
                dsl,
                first_name=FIRST_NAMES[(i * 7) % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(i * 11 + i // 40) % len(LAST_NAMES)],
                preferred_name="Sam" if i % 53 == 0 else "",
                date_of_birth=born,
                year_group=year,
                form_group=f"{year}{'WLM'[i % 3]}",
                upn=f"K{800000000000 + i:012d}",
                flags=flags,
            )
            ids.append(p.id)
    ctx = DemoContext(users=users, pupil_ids=ids, rng=rng, today=now)
    for module in domain_seeders():
        module.seed(ctx)
    with dbmod.write():
        Meta.create(key="demo_seeded", value=now.isoformat())
    return logins
