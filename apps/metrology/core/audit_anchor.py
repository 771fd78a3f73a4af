"""What anchors the audit chain outside the database: its HMAC key and its checkpoint file.

Whoever can write the database can rewrite rows and recompute any hash that needs no secret, and
can cut the newest rows and move the chain head back. So the chain is keyed with a secret kept in
the site's keys folder (`sites/<name>/keys/audit-chain.key`, never in the database), and every
sealed head is appended to `sites/<name>/audit-checkpoints.log` (opened O_APPEND, one line per
head: position, row id, hash, time). `metrology audit verify` needs the key and checks that the
database still holds every checkpointed row with the same hash. Make the file append-only for the
database's users (e.g. `chattr +a`) or ship it off the machine; `metrology audit checkpoint`
prints the current head so it can also be written down.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from metrology.core.sites import audit_key_create

logger = logging.getLogger(__name__)

_keys: dict[Path, bytes] = {}


class AuditKeyMissing(Exception):
    """The chain has sealed rows but the key that sealed them is gone."""


def audit_key_path() -> Path:
    return Path(settings.METROLOGY_AUDIT_KEY_FILE)


def audit_checkpoints_path() -> Path:
    return Path(settings.METROLOGY_AUDIT_CHECKPOINTS)


def audit_key(*, chain_started: Callable[[], bool]) -> bytes:
    """The site's chain key; made on first use on a site created before keys existed.

    When `chain_started()` says rows were already sealed, a missing key is never replaced, since a
    new key would make the whole history unverifiable: the operator restores it from backup.
    """
    path = audit_key_path()
    if path in _keys:
        return _keys[path]
    if not path.exists():
        if chain_started():
            raise AuditKeyMissing(
                f"The audit chain key {path} is missing; restore it from the site's backup "
                f"(审计链密钥 {path} 不存在，请从站点备份中恢复).")
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            audit_key_create(path)
            logger.warning("Created the audit chain key %s (新建审计链密钥，请与站点一并备份).", path)
        except FileExistsError:
            pass  # another process made it a moment ago
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 32:
        raise AuditKeyMissing(f"The audit chain key {path} is too short (审计链密钥 {path} 无效).")
    _keys[path] = key
    return key


def keyed_hash(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), "sha256").hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    position: int
    event_id: int
    hash: str
    at: str
    line: int


def checkpoint_append(*, position: int, event_id: int, hash: str) -> None:
    """Record a sealed head; called after the sealing transaction commits."""
    at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    line = f"{position}\t{event_id}\t{hash}\t{at}\n".encode("ascii")
    path = audit_checkpoints_path()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def checkpoints_read() -> tuple[list[Checkpoint], list[int]]:
    """Every checkpoint in the file, and the numbers of lines that could not be read."""
    path = audit_checkpoints_path()
    if not path.exists():
        return [], []
    found, unreadable = [], []
    with path.open(encoding="ascii", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            parts = text.rstrip("\n").split("\t")
            try:
                position, event_id, hash_, at = parts
                found.append(Checkpoint(int(position), int(event_id), hash_, at, number))
            except ValueError:
                if text.strip():
                    unreadable.append(number)
    return found, unreadable
