"""`kiosk users import`: dry run first, temporary passwords once, existing accounts never
changed, and no role that reads case records (or admin) granted by an import."""

from __future__ import annotations

import pytest

from kiosk.capabilities import CASE_RECORD_CAPS, CAPABILITIES, Role
from kiosk.errors import PermissionDenied, ValidationError
from kiosk.imports import ImportFileError
from kiosk.services import accounts, accounts_import

STAFF_CSV = ("\ufeffUsername,Full name,Roles,E-mail\r\n"
             "jsmith,Jo Smith,staff,jo.smith@school.example\r\n"
             "asmith,Alison Smith,dsl;headteacher,alison@school.example\r\n"
             "teacher,Already There,staff,\r\n"
             "gov1,Gill Governor,governor,\r\n"
             "kp,Kim Pastoral,pastoral|staff,kim@school.example\r\n"
             "root2,Second Admin,admin,\r\n"
             "xx,Xx,wizard,\r\n"
             "jsmith,Jo Smith Again,staff,\r\n").encode()


def test_dry_run_then_import(staff):
    from kiosk.models import User

    before = User.select().count()
    with pytest.raises(ValidationError, match="--dry-run first"):
        accounts_import.import_staff(staff.itadmin, STAFF_CSV, "staff.csv")
    assert User.select().count() == before
    plan = accounts_import.import_staff(staff.itadmin, STAFF_CSV, "staff.csv", dry_run=True)
    assert User.select().count() == before
    assert plan.counts == {"new": 5, "existing": 1, "refused": 2, "roles_to_confirm": 3}
    assert all(a.password == "" for a in plan.new)
    plan = accounts_import.import_staff(staff.itadmin, STAFF_CSV, "staff.csv")
    made = {a.username: a for a in plan.new}
    assert set(made) == {"jsmith", "asmith", "gov1", "kp", "root2"}
    # Case-reading roles and admin are held back: staff only, reported as to confirm.
    assert made["asmith"].granted == ("staff",) and made["asmith"].to_confirm == ("dsl", "headteacher")
    assert made["kp"].granted == ("staff",) and made["kp"].to_confirm == ("pastoral",)
    assert made["root2"].granted == ("staff",) and made["root2"].to_confirm == ("admin",)
    assert made["gov1"].granted == ("governor",) and made["gov1"].to_confirm == ()
    for a in plan.new:
        info = accounts.get_user_info(staff.itadmin, a.username)
        assert info.must_change_password and set(info.roles) == set(a.granted)
        # The printed temporary password works, once, and must then be changed.
        accounts.check_password_policy(a.password, a.username)
    login = accounts.authenticate("jsmith", made["jsmith"].password)
    assert login.actor.username == "jsmith" and login.must_change_password
    assert User.get(User.username == "jsmith").email == "jo.smith@school.example"
    # The existing account was not touched.
    assert accounts.get_user_info(staff.itadmin, "teacher").full_name == "Ms Teacher"
    # A changed file needs its own dry run.
    with pytest.raises(ValidationError, match="--dry-run first"):
        accounts_import.import_staff(staff.itadmin, STAFF_CSV + b"new1,New One,staff,\r\n", "staff.csv")
    again = accounts_import.import_staff(staff.itadmin, STAFF_CSV, "staff.csv")
    assert again.counts["new"] == 0 and again.counts["existing"] == 6


def test_held_roles_are_exactly_those_reading_case_records_and_admin():
    for role in Role:
        reads = bool(CAPABILITIES[role] & CASE_RECORD_CAPS)
        assert (role in accounts_import.HELD_ROLES) == (reads or role == Role.ADMIN), role


def test_only_account_managers_may_import(staff):
    for who in (staff.dsl, staff.head, staff.teacher):
        with pytest.raises(PermissionDenied):
            accounts_import.import_staff(who, STAFF_CSV, "staff.csv", dry_run=True)


@pytest.mark.parametrize("data,message", [
    (b"Username,Roles\njsmith,staff\n", "no column for full name"),
    ("Username,Full name,Roles\nj\u00e9,J\u00e9,staff\n".encode("cp1252"), "not UTF-8"),
    (b"", "empty"),
])
def test_bad_staff_files(staff, data, message):
    from kiosk.models import User

    before = User.select().count()
    with pytest.raises(ImportFileError, match=message):
        accounts_import.import_staff(staff.itadmin, data, "staff.csv")
    assert User.select().count() == before


def test_cli_users_import(monkeypatch, capsys, tmp_path):
    import io
    import sys

    from kiosk.cli import main
    from kiosk.db import db
    from tests.conftest import STRONG_PASSWORD, TEST_DB_URL, _reset_postgres

    if TEST_DB_URL:
        _reset_postgres(TEST_DB_URL)
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "school"))

    def run(*argv, stdin=""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        if db.obj is not None and not db.is_closed():
            db.close()
        return code, out, err

    assert run("init", "--admin", "root-admin", "--password-stdin", stdin=STRONG_PASSWORD + "\n")[0] == 0
    f = tmp_path / "staff.csv"
    f.write_bytes(STAFF_CSV)
    code, out, err = run("users", "import", str(f))
    assert code == 1 and err.count("\n") == 1 and "--dry-run first" in err
    code, out, err = run("users", "import", str(f), "--dry-run")
    assert code == 0 and "Dry run: nothing changed. 6 new" in out and "temporary password" not in out
    code, out, err = run("users", "import", str(f))
    assert code == 0 and out.count("temporary password:") == 6
    assert "(asked for dsl,headteacher: to confirm)" in out
    code, out, err = run("users", "list")
    assert "asmith" in out and "dsl" not in out.split("asmith")[1].split("\n")[0]
    db.initialize(None)
