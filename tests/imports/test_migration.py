"""Schema 4 (issue 14): a version-3 database with pupils, concerns and flag history is
upgraded in place without losing a row, and a second open does nothing."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk import schema
from kiosk.db import db
from tests.conftest import TEST_DB_URL

NEW = {"pupil": ("former_upn", "admission_number", "sex", "left_on", "status", "roll_note",
                 "merged_into", "other", "other_label"),
       "pupil_flag_change": ("effective_on", "label")}


@pytest.mark.skipif(bool(TEST_DB_URL), reason="rebuilds an old SQLite schema by hand")
def test_version_3_database_upgrades_keeping_every_row(settings, staff, record_concern):
    from kiosk.models import Meta
    from kiosk.models.pupils import PupilFlagChange
    from kiosk.services import pupils

    p = pupils.add_pupil(staff.dsl, first_name="Ava", last_name="Patel", date_of_birth=date(2014, 3, 12),
                         year_group=7, upn="U936200015010")
    pupils.set_flag(staff.dsl, p.id, "cp_plan", True, "Conference")
    record_concern(staff.teacher, p.id)
    assert PupilFlagChange._meta.table_name in NEW
    # Back to version 3: the new columns and index removed (the append-only triggers name
    # every column, so they go first; opening the database puts them back).
    for (name,) in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                  "AND tbl_name IN ('pupil', 'pupil_flag_change')").fetchall():
        db.execute_sql(f'DROP TRIGGER "{name}"')
    db.execute_sql('DROP INDEX IF EXISTS "pupil_former_upn"')
    db.execute_sql('DROP INDEX IF EXISTS "pupil_merged_into"')  # indexed since (issue 19)
    for table, columns in NEW.items():
        for column in columns:
            db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    Meta.update(value="3").where(Meta.key == "schema_version").execute()
    Meta.update(value="old").where(Meta.key == "tables").execute()
    db.close()

    schema.open_database(settings)
    assert schema.current_version() == schema.SCHEMA_VERSION
    for table, columns in NEW.items():
        assert set(columns) <= {c.name for c in db.get_columns(table)}
    from kiosk.models.concerns import ConcernPupil
    from kiosk.models.pupils import ON_ROLL, Pupil

    ava = Pupil.get(Pupil.upn == "U936200015010")
    assert ava.status == ON_ROLL and ava.cp_plan and not ava.other and ava.admission_number == ""
    assert ConcernPupil.select().where(ConcernPupil.pupil == ava.id).count() == 1
    assert PupilFlagChange.select().count() == 1
    assert schema.upgrade() == schema.SCHEMA_VERSION
