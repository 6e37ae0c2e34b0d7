"""Helpers shared by the concern tests."""

from __future__ import annotations

from kiosk.config import MailSettings


def mail_settings(port, **kw) -> MailSettings:
    """[mail] settings for a relay on this machine's loopback."""
    kw.setdefault("timeout_seconds", 5)
    return MailSettings(host="127.0.0.1", port=port, starttls=False,
                        from_address="dsl-console@school.example", **kw)
