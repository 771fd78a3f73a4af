"""Sites: one folder per institute under `sites/`, after Frappe's bench layout.

`sites/<name>/site_config.json` holds the database URL, the secret key, the job backend and the
folders for files and signing keys; a SQLite database lives beside it. This module is read by the
settings, so it imports nothing from Django.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_NAME = "site_config.json"
CURRENT_SITE_FILE = "currentsite"
AUDIT_KEY_FILE = "audit-chain.key"
AUDIT_CHECKPOINTS_FILE = "audit-checkpoints.log"
SITE_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
JOB_BACKENDS = ("database", "rq")
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


class SiteError(Exception):
    """A site is missing, misnamed or misconfigured; the message says which and how to fix it."""


@dataclass(frozen=True)
class Site:
    name: str
    path: Path
    config: dict[str, Any]

    @property
    def database_url(self) -> str:
        override = os.environ.get("METROLOGY_DATABASE_URL")
        if override:
            return override
        url = self.config.get("db_url") or "sqlite"
        if url == "sqlite":
            return f"sqlite:///{self.path / 'site.sqlite3'}"
        return url

    @property
    def files_dir(self) -> Path:
        return self.path / self.config.get("files_dir", "files")

    @property
    def keys_dir(self) -> Path:
        return self.path / self.config.get("keys_dir", "keys")

    @property
    def audit_key_path(self) -> Path:
        return self.keys_dir / AUDIT_KEY_FILE

    @property
    def audit_checkpoints_path(self) -> Path:
        return self.path / AUDIT_CHECKPOINTS_FILE

    @property
    def job_backend(self) -> str:
        backend = self.jobs.get("backend", "database")
        if backend not in JOB_BACKENDS:
            raise SiteError(
                f"{self.path / CONFIG_NAME}: jobs.backend must be one of {', '.join(JOB_BACKENDS)}, "
                f"not {backend!r}"
            )
        return backend

    @property
    def jobs(self) -> dict[str, Any]:
        return self.config.get("jobs") or {}

    @property
    def redis_url(self) -> str:
        return os.environ.get("METROLOGY_REDIS_URL") or self.jobs.get("redis_url", "redis://127.0.0.1:6379/0")

    def setting(self, key: str, default: Any) -> Any:
        return self.config.get(key, default)

    def flag(self, key: str, default: bool) -> bool:
        """A yes/no setting, read strictly: the text "false" is false, and a typo is an error."""
        value = self.config.get(key, default)
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise SiteError(
            f"{self.path / CONFIG_NAME}: '{key}' must be true or false, not {value!r} "
            f"(站点配置 {key} 只能是 true 或 false)."
        )


def sites_dir() -> Path:
    return Path(os.environ.get("METROLOGY_SITES_DIR") or Path.cwd() / "sites").resolve()


def validate_site_name(name: str) -> str:
    if not SITE_NAME_PATTERN.match(name or ""):
        raise SiteError(
            f"Site name {name!r} is not valid: use lower-case letters, digits, '.', '_' or '-' "
            "(站点名只能包含小写字母、数字、点、下划线和连字符)."
        )
    return name


def current_site_name() -> str | None:
    name = os.environ.get("METROLOGY_SITE")
    if name:
        return name
    pointer = sites_dir() / CURRENT_SITE_FILE
    if pointer.is_file():
        return pointer.read_text(encoding="utf-8").strip() or None
    return None


def load_site(name: str | None = None) -> Site:
    name = name or current_site_name()
    if not name:
        raise SiteError(
            f"No site selected. Create one with `metrology new-site NAME`, or choose one with --site, "
            f"METROLOGY_SITE or {sites_dir() / CURRENT_SITE_FILE} "
            "(未选择站点：请先用 metrology new-site 创建站点，或用 --site 指定)."
        )
    path = sites_dir() / validate_site_name(name)
    config_path = path / CONFIG_NAME
    if not config_path.is_file():
        raise SiteError(f"Site {name!r} not found: {config_path} does not exist (站点不存在).")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SiteError(f"{config_path} is not valid JSON: line {exc.lineno}, column {exc.colno}") from exc
    for required in ("secret_key",):
        if not config.get(required):
            raise SiteError(f"{config_path}: '{required}' is missing (站点配置缺少 {required}).")
    return Site(name=name, path=path, config=config)


def audit_key_create(key_path: Path) -> None:
    """Write a new secret for the audit chain's HMAC; it never goes into the database."""
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as key_file:
        key_file.write(secrets.token_hex(32) + "\n")


def site_create(
    *,
    name: str,
    db_url: str | None = None,
    job_backend: str = "database",
    redis_url: str | None = None,
    institute_name: str = "",
    make_current: bool = True,
    extra: dict[str, Any] | None = None,
) -> Site:
    """Write a new site folder and its config; the database is migrated by the caller."""
    path = sites_dir() / validate_site_name(name)
    if (path / CONFIG_NAME).exists():
        raise SiteError(f"Site {name!r} already exists at {path} (站点已存在).")
    if job_backend not in JOB_BACKENDS:
        raise SiteError(f"Job backend must be one of {', '.join(JOB_BACKENDS)}, not {job_backend!r}.")
    config: dict[str, Any] = {
        "site_name": name,
        "db_url": db_url or "sqlite",
        "secret_key": secrets.token_urlsafe(50),
        "files_dir": "files",
        "keys_dir": "keys",
        "jobs": {"backend": job_backend, **({"redis_url": redis_url} if redis_url else {})},
        "institute_name": institute_name,
        "allowed_hosts": ["127.0.0.1", "localhost"],
        "debug": False,
        **(extra or {}),
    }
    for folder in (path, path / "files", path / "keys", path / "logs", path / "static"):
        folder.mkdir(parents=True, exist_ok=True)
    os.chmod(path / "keys", 0o700)
    if not (path / "keys" / AUDIT_KEY_FILE).exists():
        audit_key_create(path / "keys" / AUDIT_KEY_FILE)
    config_path = path / CONFIG_NAME
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.chmod(config_path, 0o600)
    if make_current:
        (sites_dir() / CURRENT_SITE_FILE).write_text(name + "\n", encoding="utf-8")
    return Site(name=name, path=path, config=config)
