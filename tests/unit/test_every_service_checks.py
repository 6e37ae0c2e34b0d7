"""Every public service function checks a capability before it does anything.

The list is found, not written down: every public function of every kiosk.services module
is called by an account that holds no capability at all, with placeholder arguments; each
must refuse with PermissionDenied before it looks at them. Functions that take no actor
(pure helpers, what runs before anyone is signed in, the shell's own checks) are the
documented exceptions below, each with its reason. A new public function that forgets its
check fails here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import kiosk.services
from kiosk.errors import PermissionDenied
from kiosk.models import AuditEvent

# Public functions that take no acting user, and why that is right.
NO_ACTOR = {
    "accounts.check_password_policy": "pure: judges a password, reads nothing",
    "accounts.actor_for": "builds the Actor after authenticate() has checked the password",
    "accounts.authenticate": "the sign-in itself: nobody is signed in yet (throttled, audited)",
    "accounts.count_users": "whether `kiosk init` has run (a number, no record)",
    "actor.shell_actor": "the shell administrator running a CLI command (audited as such)",
    "actor.forget_account_checks": "clears a cache",
    "adults.countdown": "pure date arithmetic",
    "adults.lado_due_for": "pure date arithmetic",
    "adults.retention_for": "pure retention rule",
    "adults.name_key": "pure: how a typed name is compared with account names",
    "adults.ref_for": "pure: formats a reference (A-00012)",
    "alerts.raise_for_users": "called inside record_concern / raise_concern after their checks",
    "audit.verify": "the shell's `kiosk audit verify` (hashes only, no content shown)",
    "casework.check_follow_up": "pure: judges a follow-up before add_action (which checks) writes",
    "concerns.ref_for": "pure: formats a reference",
    "concerns.new_submission_token": "pure: a random token",
    "concerns.ensure_categories": "seeds the category list at start-up (no record)",
    "concerns.dsl_team_user_ids": "who receives alerts; called inside checked services",
    "concerns.overdue_cutoff": "pure date arithmetic",
    "early_help.parse_date": "pure parsing",
    "early_help.review_due_on": "pure date arithmetic",
    "early_help.week_bounds": "pure date arithmetic",
    "early_help.agency_choices": "the school profile's agencies (public contact data)",
    "pupils.summary": "formats a row the caller was already allowed to read",
    "ssh_keys.fingerprint_of": "pure: a key's fingerprint",
    "ssh_keys.user_for_key": "the SSH server's key look-up before sign-in (audited by the server)",
    "ssh_keys.session_refusal": "the SSH server's check that a live session may go on",
    "stats.cell": "pure formatting",
    "stats.suppress_group": "pure small-number suppression",
    "stats.rate": "pure arithmetic",
    "stats.attendance_by_offer": "aggregate counts (no names); called inside the caseload, the "
                                 "statistics and the governors' report after their checks",
    "stats.current_academic_year": "pure date arithmetic",
    "two_factor.is_required": "pure: whether roles need a second factor",
    "two_factor.provisioning_uri": "pure: formats the otpauth URI",
    "two_factor.current_step": "pure time arithmetic",
    "two_factor.demo_code": "`kiosk demo --code`: refused on any database the demo did not seed",
    "two_factor.has_live_factor": "inside authenticate(), before anyone is signed in (a yes/no)",
    "two_factor.reseal_legacy": "run by open_database: re-seals stored secrets under the field key, shows none",
    "two_factor.is_enrolled": "a yes/no for `kiosk users list` (shell) and the sign-in",
}

# Reviewed one by one after the merges from main (issue 12): each takes no acting user.
NO_ACTOR.update({
    "accounts_import.temporary_password": "pure: a random password (the screen and the import show it once)",
    "alerts.current_caps": "the capabilities an alert's recipient holds now, for the mail sender and "
                           "the alert poller, which tell nothing to an account that lost them",
    "alerts.may_be_told": "pure: whether capabilities allow being told of an alert kind",
    "alerts.notice_text": "pure: words of a notice built from AlertNotice (no record content)",
    "audit.checkpoint_every": "a setting (a number)",
    "audit.configure_checkpoints": "start-up: where the checkpoint log is kept",
    "audit.verify_records": "the shell's `kiosk audit verify` and backups (hashes; names records, "
                            "never their content)",
    "backup.backup_dir": "pure: the backup folder from the settings",
    "backup.manifest_path": "pure: the manifest's path beside a backup",
    "backup.rotate": "the shell's `kiosk backup`: removes old backup files (no record read)",
    "backup.verify_backup": "the shell's `kiosk backup verify` (needs the backup key file)",
    "backup.restore": "the shell's `kiosk restore` into a data dir (needs the backup key file)",
    "backup.encrypt_in_place": "the shell's `kiosk encrypt`, consoles stopped (backs up first, audited)",
    "backup.rekey": "the shell's `kiosk rekey`, consoles stopped (needs the key file)",
    "casefile.timeline": "pure: lays out content build() made for a checked caller",
    "checkpoints.check_database": "the shell's `kiosk audit verify` (hash chain only)",
    "checkpoints.read_log": "the shell's `kiosk audit verify` (the signed checkpoint log)",
    "checkpoints.write_checkpoint": "inside audit.record and take_backup: signs the chain's head",
    "mail.enqueue": "inside raise_for_users, in the write of a checked service",
    "mail.pending_count": "the shell's `kiosk mail send`: how many notices wait (a number)",
    "mail.send_pending": "the console's mail sender and `kiosk mail send` (audited as the system)",
    "mail.system_actor": "builds the mail sender's own actor (holds no capability)",
    "pupils.flag_names": "pure: labels of flags on a summary the caller was allowed to read",
    "people.with_roles": "who holds these roles (ids and names), called inside checked services",
    "people.names": "user ids to names, called inside checked services",
    "people.holders": "the holders of roles by role, for routing inside checked services",
    "accounts.validate_username": "pure: judges a typed username (create_user and the import check)",
    "concerns.category_names": "category keys to names, inside checked services and exports",
    "concerns.category_views": "the categories of concerns a checked service has loaded",
    "stats.count_if": "pure: a SQL expression",
    "accounts.user_by_name": "the account row for a username, inside checked services",
    "accounts.locked_message": "pure: the words for a locked account",
    "audit.read_head": "the audit chain's head (a sequence number and a hash), for backups",
    "concerns.has_access": "a predicate on the named-access table, inside checked services",
    "roll_import.ids_with_records": "which pupils have any record (ids), inside checked services",
    "unit.wait_idle": "the end of a session waits for service calls in flight (no record read)",
    "unit.run": "runs a service call with its connection (the screens' run_service); the call checks",
    "roll_import.describe": "pure: an import plan as lines (the plan came from a checked run)",
    "roll_import.read_file": "reads the file the person at the keyboard named, before the database "
                             "opens (CLI); its bytes go to run_import, which checks",
})

# Issue 19: the hand-written SQL kept beside the hot services (`*_sql` modules) and the helper
# that runs it (`fastsql`). Each function answers one question for the service beside it,
# which has checked the actor first; nothing else imports them (tested below).
SQL_MODULES = ("fastsql", "accounts_sql", "adults_sql", "chronology_sql", "concerns_sql", "pupils_sql")
for _module in SQL_MODULES:
    for _name, _fn in vars(importlib.import_module(f"kiosk.services.{_module}")).items():
        if not _name.startswith("_") and inspect.isfunction(_fn) and _fn.__module__.endswith(_module):
            NO_ACTOR[f"{_module}.{_name}"] = f"SQL for the service beside it, called after its checks"

# Run from the shell with the actor as a later, optional argument (the shell's by default):
# each checks the actor it is given before anything else (tested below).
SHELL_ACTOR = {
    "backup.take_backup": "`kiosk backup`, and the backup that encrypt and restore take first",
}
NO_ACTOR.update(SHELL_ACTOR)

# Functions that take an actor but act only on that actor's own session, and why.
OWN_SESSION = {
    "accounts.change_password": "the user's own password; needs the current one (and a live session)",
    "accounts.record_logout": "audits the end of the actor's own session",
    "actor.account_current": "the check itself",
    "audit.record": "the audit trail: appends, never reads",
    "concerns.access_level": "a predicate used inside checked services: None without capabilities",
    "concerns.visible_to": "a predicate used inside checked services: False without capabilities",
    "adults.detail_view": "builds the view of a row a checked service has loaded for the actor",
    "concerns.detail_view": "builds the view of a row a checked service has loaded for the actor",
    "concerns.load_visible": "the row if the actor may see it (NotFound, audited, if not); inside "
                             "checked services, which require their capability first",
    "concerns.triage_row": "inside a checked service's write: the row read again, access checked again",
    "chronology.early_help_entries": "a part of chronology() and the case file, after their checks: "
                                     "nothing without early-help view",
    "two_factor.after_password": "the sign-in's next step for the account whose password was just right",
    "two_factor.start_enrolment": "sets up the actor's own authenticator (refused if one is live)",
    "two_factor.confirm_enrolment": "turns on the actor's own authenticator with its code",
    "two_factor.verify": "checks the actor's own code at sign-in (counts towards the lockout)",
}


def public_functions():
    for info in pkgutil.iter_modules(kiosk.services.__path__):
        module = importlib.import_module(f"kiosk.services.{info.name}")
        for name, fn in sorted(vars(module).items()):
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            # A package's public functions are those its __init__ exports from its parts
            # (kiosk.services.early_help); the parts' shared helpers are not its interface.
            mine = (fn.__module__.startswith(module.__name__ + ".") if info.ispkg
                    else fn.__module__ == module.__name__)
            if mine:
                yield f"{info.name}.{name}", fn


def _placeholder(param: inspect.Parameter):
    name = param.name
    if name.endswith("_id") or name in ("id", "page", "limit"):
        return 1
    if name.endswith("_ids") or name in ("pupils", "categories", "roles", "marks", "answers"):
        return []
    return "x"


ALL = dict(public_functions())


def test_the_exceptions_are_still_real():
    listed = set(NO_ACTOR) | set(OWN_SESSION)
    assert listed <= set(ALL), sorted(listed - set(ALL))
    for name in set(NO_ACTOR) - set(SHELL_ACTOR):
        assert "actor" not in inspect.signature(ALL[name]).parameters, f"{name} takes an actor: check it"


@pytest.mark.parametrize("name", sorted(n for n in ALL if n not in NO_ACTOR and n not in OWN_SESSION))
def test_a_service_refuses_an_account_without_capabilities(name, make_user):
    from kiosk.services.actor import Actor

    fn = ALL[name]
    params = list(inspect.signature(fn).parameters.values())
    assert params and params[0].name == "actor", (
        f"{name} is public and takes no actor: give it one and check a capability, make it "
        "private, or add it to NO_ACTOR with the reason")
    real = make_user("nobody", "staff")
    nothing = Actor(real.user_id, real.username, real.full_name, frozenset(), version=real.version)
    assert not nothing.caps
    args, kwargs = [], {}
    for p in params[1:]:
        if p.default is not inspect.Parameter.empty:
            continue
        if p.kind == p.KEYWORD_ONLY:
            kwargs[p.name] = _placeholder(p)
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            args.append(_placeholder(p))
    before = AuditEvent.select().count()
    try:
        result = fn(nothing, *args, **kwargs)
    except PermissionDenied:
        assert AuditEvent.select().count() > before, f"{name} refused without auditing the refusal"
        return
    except Exception as exc:  # noqa: BLE001 - any other outcome means no check came first
        pytest.fail(f"{name} did not check a capability first: {type(exc).__name__}: {exc}")
    pytest.fail(f"{name} ran for an account with no capabilities and returned {result!r}")


@pytest.mark.parametrize("name", sorted(SHELL_ACTOR))
def test_a_shell_function_refuses_an_actor_without_capabilities(name, make_user):
    from kiosk.services.actor import Actor

    fn = ALL[name]
    params = list(inspect.signature(fn).parameters.values())
    assert "actor" in [p.name for p in params], f"{name} takes no actor: move it to NO_ACTOR"
    real = make_user("nobody", "staff")
    nothing = Actor(real.user_id, real.username, real.full_name, frozenset(), version=real.version)
    args = [_placeholder(p) for p in params if p.default is inspect.Parameter.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    before = AuditEvent.select().count()
    with pytest.raises(PermissionDenied):
        fn(*args, actor=nothing)
    assert AuditEvent.select().count() > before, f"{name} refused without auditing the refusal"


def test_the_sql_modules_are_used_only_by_services():
    """Screens and everything outside kiosk/services reach the SQL only through a service."""
    import pathlib

    root = pathlib.Path(kiosk.services.__file__).parent.parent
    for path in root.rglob("*.py"):
        if "services" in path.parts or "bench" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for module in (*SQL_MODULES, "registers_sql", "history_sql"):
            assert f"services.{module}" not in text and f"import {module}" not in text, (path, module)
