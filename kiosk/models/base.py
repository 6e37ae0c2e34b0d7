"""The model base class and the registry of every table the console owns."""

from __future__ import annotations

import peewee

from kiosk.db import db

# Every model registers itself here so schema creation never forgets a table.
REGISTRY: list[type[peewee.Model]] = []


def register(model: type[peewee.Model]) -> type[peewee.Model]:
    if model not in REGISTRY:
        REGISTRY.append(model)
    return model


class BaseModel(peewee.Model):
    class Meta:
        database = db
        legacy_table_names = False
