"""Fast bulk inserts for the synthetic dataset (never used by the console itself).

Values go through each field's `db_value` (so booleans, dates and foreign keys are stored
exactly as peewee stores them), then into one prepared statement per chunk: `executemany`
on SQLite (the statement is compiled once), multi-row VALUES on PostgreSQL (one round
trip per chunk). Call inside one transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable, Sequence

import peewee

from kiosk.db import db, is_sqlite

PG_CHUNK_ROWS = 1000


def _sqlite_value(value):
    # The text peewee itself stores (str(datetime) is ISO with a space): no adapter needed.
    if isinstance(value, (datetime, date)):
        return str(value)
    return value


def quote(name: str) -> str:
    q = db.quote  # the backend's pair of identifier quotes, e.g. '""'
    return q[0] + name.replace(q[1], q[1] * 2) + q[1]


def columns_of(model: type[peewee.Model], names: Sequence[str]) -> list[peewee.Field]:
    fields = model._meta.fields
    missing = [n for n in names if n not in fields]
    if missing:
        raise KeyError(f"{model.__name__} has no field {missing[0]!r}")
    return [fields[n] for n in names]


def insert_rows(model: type[peewee.Model], names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert tuples (in the order of `names`) into the model's table. Returns the count."""
    fields = columns_of(model, names)
    # Columns not given that have a default get it (peewee defaults live in Python, not in
    # the table), so a field added later by its domain does not break the dataset.
    extra = []
    for f in model._meta.sorted_fields:
        if f.name in names or f.default is None or f is model._meta.primary_key:
            continue
        extra.append((f, f.default() if callable(f.default) else f.default))
    if extra:
        fields = fields + [f for f, _ in extra]
        tail = tuple(v for _, v in extra)
        rows = (tuple(r) + tail for r in rows)
    converters = [f.db_value for f in fields]
    table = quote(model._meta.table_name)
    cols = ", ".join(quote(f.column_name) for f in fields)
    param = db.param
    one = "(" + ", ".join([param] * len(fields)) + ")"
    sqlite = is_sqlite()
    count = 0
    if sqlite:
        sql = f"INSERT INTO {table} ({cols}) VALUES {one}"
        cursor = db.cursor()
        batch: list[tuple] = []
        for row in rows:
            batch.append(tuple(_sqlite_value(c(v)) for c, v in zip(converters, row)))
            if len(batch) >= 20_000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
        return count
    cursor = db.cursor()
    batch_params: list = []
    n = 0
    for row in rows:
        batch_params.extend(c(v) for c, v in zip(converters, row))
        n += 1
        if n >= PG_CHUNK_ROWS:
            cursor.execute(f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * n), batch_params)
            count += n
            batch_params, n = [], 0
    if n:
        cursor.execute(f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * n), batch_params)
        count += n
    return count


def reset_sequence(model: type[peewee.Model]) -> None:
    """PostgreSQL: after inserting explicit ids, move the id sequence past them."""
    if is_sqlite():
        return
    pk = model._meta.primary_key
    table = model._meta.table_name
    db.execute_sql(
        f"SELECT setval(pg_get_serial_sequence(%s, %s), "
        f"COALESCE((SELECT MAX({quote(pk.column_name)}) FROM {quote(table)}), 0) + 1, false)",
        (table, pk.column_name),
    )
