"""E-mail notices through the school's own relay (issue 12), against a real SMTP server
started by the test (aiosmtpd). The message says a concern was recorded and when, nothing
more; a relay that is down never touches the concern: the failure is audited and the
notice is sent on a later try."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest

from kiosk.config import MailSettings
from tests.concerns.helpers import mail_settings

PHRASE = "Zebra-Quokka lighthouse 4471"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Relay:
    """A real SMTP server on localhost that keeps what it receives."""

    def __init__(self, port: int, **kw) -> None:
        from aiosmtpd.controller import Controller

        self.port = port
        self.messages: list[tuple[str, list[str], str]] = []
        relay = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                relay.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                       envelope.content.decode("utf-8", "replace")))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kw)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


@pytest.fixture
def port():
    return _free_port()


@pytest.fixture
def relay(port):
    r = Relay(port).start()
    yield r
    r.stop()


def _events(action):
    from kiosk.models import AuditEvent

    return [json.loads(e.detail) for e in AuditEvent.select().where(AuditEvent.action == action)
            .order_by(AuditEvent.seq)]


def _with_email(admin, name, address):
    from kiosk.services import accounts

    accounts.set_email(admin, name, address)


def test_notice_is_sent_with_no_content(school, record, admin, relay, port):
    from kiosk.models import MailOutbox
    from kiosk.services import mail

    _with_email(admin, "dsl", "dsl@school.example")
    _with_email(admin, "teacher", "teacher@school.example")  # records it: no alert, no mail
    record(words=PHRASE, description=f"{PHRASE} in the playground.", why_concern=PHRASE)
    assert MailOutbox.select().count() == 1  # only the DSL has an address
    report = mail.send_pending(mail_settings(port))
    assert report.sent == 1 and report.failed == 0
    assert len(relay.messages) == 1
    sender, to, text = relay.messages[0]
    assert sender == "dsl-console@school.example" and to == ["dsl@school.example"]
    assert "A concern was recorded at 10:00 on 26 Nov 2026; open the console." in text
    for secret in (PHRASE, "Amara", "Abbott", "Physical", "physical", "Ms Teacher", "C-0"):
        assert secret not in text
    assert _events("mail.sent")[0]["recipient"] == school.users["dsl"].user_id
    # Sent once.
    assert mail.send_pending(mail_settings(port)).sent == 0 and len(relay.messages) == 1


def test_relay_down_keeps_the_concern_audits_and_retries(school, record, admin, port):
    from kiosk.models import MailOutbox
    from kiosk.models.concerns import Concern
    from kiosk.services import mail

    _with_email(admin, "dsl", "dsl@school.example")
    recorded = record(words=PHRASE, urgent=True)  # nothing listens on the port: relay down
    assert Concern.get_by_id(recorded.id).words == PHRASE
    report = mail.send_pending(mail_settings(port))
    assert report.failed == 1 and report.sent == 0
    failed = _events("mail.failed")
    assert len(failed) == 1 and failed[0]["attempts"] == 1 and "Refused" in failed[0]["error"]
    row = MailOutbox.get()
    assert row.state == "pending" and row.next_try_at == school.clock.now + timedelta(minutes=1)
    relay = Relay(port).start()
    try:
        # Not due yet: the pause is kept even though the relay is back.
        assert mail.send_pending(mail_settings(port)).sent == 0 and relay.messages == []
        school.clock.advance(seconds=61)
        report = mail.send_pending(mail_settings(port))
        assert report.sent == 1
        assert len(relay.messages) == 1
        assert "An urgent concern was recorded at 10:00" in relay.messages[0][2]
        assert PHRASE not in relay.messages[0][2]
        assert MailOutbox.get().state == "sent" and MailOutbox.get().attempts == 2
    finally:
        relay.stop()


def test_retries_slow_down_then_give_up_after_two_days(school, record, admin, port):
    from kiosk.models import MailOutbox
    from kiosk.services import mail

    _with_email(admin, "dsl", "dsl@school.example")
    record()
    pauses = []
    for _ in range(4):
        mail.send_pending(mail_settings(port))
        row = MailOutbox.get()
        pauses.append(row.next_try_at - school.clock.now)
        school.clock.now = row.next_try_at
    assert pauses == [timedelta(minutes=m) for m in (1, 2, 5, 10)]
    school.clock.advance(hours=48)
    report = mail.send_pending(mail_settings(port))
    assert report.given_up == 1
    assert MailOutbox.get().state == "given_up" and _events("mail.given_up")


def test_demoted_or_deactivated_recipient_gets_nothing(school, record, admin, relay, port):
    from kiosk.services import accounts, mail

    _with_email(admin, "dsl", "dsl@school.example")
    _with_email(admin, "deputy", "deputy@school.example")
    record()
    accounts.set_roles(admin, "deputy", ["staff"])
    accounts.deactivate(admin, "dsl")
    report = mail.send_pending(mail_settings(port))
    assert report.dropped == 2 and report.sent == 0 and relay.messages == []
    assert len(_events("mail.dropped")) == 2


def test_relay_login_with_password_file(school, record, admin, port, tmp_path):
    from aiosmtpd.smtp import AuthResult

    from kiosk.services import mail

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"console" and auth_data.password == b"s3cret-relay")

    relay = Relay(port, authenticator=authenticator, auth_require_tls=False).start()
    try:
        secret = tmp_path / "relay-password"
        secret.write_text("s3cret-relay\n")
        _with_email(admin, "dsl", "dsl@school.example")
        record()
        report = mail.send_pending(mail_settings(port, username="console", password_file=secret))
        assert report.sent == 1 and seen == [(b"console", b"s3cret-relay")]
        record()
        secret.write_text("wrong\n")
        report = mail.send_pending(mail_settings(port, username="console", password_file=secret,
                                         timeout_seconds=2))
        # Refused (aiosmtpd stalls a failed login until the client's timeout): audited, kept.
        assert report.failed == 1 and len(_events("mail.failed")) == 1
    finally:
        relay.stop()


async def test_open_console_sends_the_notice(settings, school, record, admin, relay, port):
    from tests.console.helpers import console_app, login, wait_until

    _with_email(admin, "dsl", "dsl@school.example")
    app = console_app(settings.with_(mail=mail_settings(port)))
    app.MAIL_DRAIN_SECONDS = 0.3
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "teacher")  # any console drains the outbox, not only the DSL's
        record(words=PHRASE)
        await wait_until(pilot, lambda: relay.messages, timeout=10)
    assert PHRASE not in relay.messages[0][2]


def test_email_addresses_are_checked(school, admin):
    from kiosk.errors import ValidationError
    from kiosk.services import accounts

    for bad in ("not-an-address", "a b@school.example", "x@localhost", "Jo <jo@school.example>",
                "jo@school.example\r\nBcc: all@x.example", "a@b@c.example"):
        with pytest.raises(ValidationError):
            accounts.set_email(admin, "dsl", bad)
    assert accounts.set_email(admin, "dsl", " jo@school.example ").email == "jo@school.example"
    assert accounts.set_email(admin, "dsl", "").email is None


def _self_signed(tmp_path):
    """A certificate for 127.0.0.1, made for the test (the relay's own CA, as a school's may be)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relay.test")])
    # OpenSSL checks validity against the real clock: valid on any date the suite may run.
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
            .not_valid_after(dt.datetime(9999, 12, 31, tzinfo=dt.timezone.utc))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "relay.pem", tmp_path / "relay.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_starttls_with_the_relays_own_ca(school, record, admin, port, tmp_path):
    import ssl

    from kiosk.services import mail

    cert_file, key_file = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert_file, key_file)
    relay = Relay(port, tls_context=server_ctx, require_starttls=True).start()
    try:
        _with_email(admin, "dsl", "dsl@school.example")
        record(words=PHRASE)
        tls = dict(starttls=True, timeout_seconds=5)
        # An unknown certificate is refused: the notice is not sent in clear or to an impostor.
        report = mail.send_pending(MailSettings(host="127.0.0.1", port=port,
                                                from_address="c@school.example", **tls))
        assert report.failed == 1 and relay.messages == []
        assert "CERTIFICATE_VERIFY_FAILED" in _events("mail.failed")[0]["error"]
        school.clock.advance(minutes=2)
        report = mail.send_pending(MailSettings(host="127.0.0.1", port=port, from_address="c@school.example",
                                                ca_file=cert_file, **tls))
        assert report.sent == 1 and len(relay.messages) == 1 and PHRASE not in relay.messages[0][2]
    finally:
        relay.stop()
