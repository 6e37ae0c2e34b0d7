"""The server's host key: created on first start in the data dir, owner-only (0600).

A key file that others can read, or that belongs to someone else, is refused rather
than used: it may have been copied, and clients would then trust an impostor.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kiosk.errors import ConfigError

HOST_KEY_FILENAME = "ssh_host_ed25519_key"


def host_key_path(data_dir: Path) -> Path:
    return Path(data_dir) / HOST_KEY_FILENAME


def load_or_create(data_dir: Path):
    """Return (key, path, created). The key is an asyncssh private key."""
    import asyncssh

    from kiosk.config import ensure_data_dir

    ensure_data_dir(Path(data_dir))
    path = host_key_path(data_dir)
    created = False
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519", comment="kiosk serve-ssh host key")
        data = key.export_private_key("openssh")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another server started at the same moment: use its key
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            created = True
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path}: the host key is not a regular file; remove it and start again")
    if info.st_uid != os.geteuid():
        raise ConfigError(f"{path}: the host key belongs to another user; it must be owned by the user running the server")
    if info.st_mode & 0o077:
        raise ConfigError(
            f"{path}: the host key can be read by others (mode {stat.S_IMODE(info.st_mode):o}); "
            "it may have been copied. Remove it to make a new one (clients must then accept the new "
            "fingerprint), or if you are sure, run: chmod 600 " + str(path)
        )
    try:
        key = asyncssh.read_private_key(str(path))
    except (asyncssh.KeyImportError, OSError) as exc:
        raise ConfigError(f"{path}: cannot read the host key ({exc}); remove it to make a new one") from None
    return key, path, created


def fingerprint(key) -> str:
    return key.get_fingerprint("sha256")
