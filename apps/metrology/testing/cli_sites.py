"""Fresh sites for tests that drive the `metrology` command in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ISOLATED_VARIABLES = ("METROLOGY_SITE", "METROLOGY_SITES_DIR", "METROLOGY_TEST_KEEP_SITE_ENV",
                      "METROLOGY_DATABASE_URL", "DJANGO_SETTINGS_MODULE")


@dataclass
class CliSites:
    """Runs `metrology` with its own sites folder; databases made on a server are dropped after."""

    root: Path
    server_url: str | None = None
    databases: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ISOLATED_VARIABLES}
        return {**env, "METROLOGY_SITES_DIR": str(self.root)}

    def run(self, *args: str, check: bool = True, timeout: int = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "metrology.cli", *args], env=self.env(), capture_output=True,
            text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"metrology {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def database_url(self) -> str | None:
        """A new database on the suite's server, or None for the site's own SQLite file."""
        if not self.server_url:
            return None
        parsed = urlparse(self.server_url)
        name = f"metrology_cli_{uuid.uuid4().hex[:10]}"
        self.databases.append(name)
        return parsed._replace(path=f"/{name}").geturl()

    def new_site(self, name: str, *extra: str) -> subprocess.CompletedProcess:
        url = self.database_url()
        return self.run("new-site", name, "--admin-password", "Guanli-2026x", *(["--db", url] if url else []),
                        *extra)

    def drop_databases(self) -> None:
        if not self.databases:
            return
        import MySQLdb

        parsed = urlparse(self.server_url)
        connection = MySQLdb.connect(host=parsed.hostname, port=parsed.port or 3306,
                                     user=parsed.username or "root", passwd=parsed.password or "")
        try:
            for name in self.databases:
                connection.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            connection.close()
