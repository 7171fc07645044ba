"""A throwaway PostgreSQL server for tests: initdb in a temporary folder, Unix socket only.

PostgreSQL refuses to run as root, so under root the server runs as the
``postgres`` account, in a folder outside the suite's private temporary
directory (which only root may enter), removed afterwards. No TCP listener.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BINARIES = ("initdb", "pg_ctl", "postgres", "psql")


def _bin_dir() -> Path | None:
    """A folder holding every server binary: PATH first, then Debian's layout."""
    found = [shutil.which(name) for name in BINARIES]
    if all(found):
        return Path(os.path.realpath(str(found[0]))).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all((Path(folder) / name).exists() for name in BINARIES):
            return Path(folder)
    return None


def _account() -> pwd.struct_passwd | None:
    """Who runs the server: ourselves, or the postgres account when we are root."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


def unavailable_reason() -> str:
    """Why no server can start here, or "" when one can."""
    if _bin_dir() is None:
        return (
            "no PostgreSQL server here (initdb, pg_ctl, postgres and psql on PATH or under "
            "/usr/lib/postgresql/*/bin); the reaper's SQL is only checked structurally"
        )
    if _account() is None:
        return "running as root without a postgres account to run PostgreSQL as"
    return ""


@dataclass(frozen=True)
class Server:
    bin_dir: Path
    socket_dir: Path
    port: int = 5432

    @property
    def env(self) -> dict[str, str]:
        """libpq's environment for the superuser (trust authentication)."""
        return {
            "PATH": f"{self.bin_dir}:{os.environ.get('PATH', '')}",
            "PGHOST": str(self.socket_dir),
            "PGPORT": str(self.port),
            "PGUSER": "postgres",
            "PGPASSWORD": "unused-trust-authentication",
        }

    def psql(self, script: str, database: str = "postgres") -> str:
        """Run ``script`` (psql input) and return its unaligned output."""
        done = subprocess.run(
            [str(self.bin_dir / "psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", database],
            input=script,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


@contextmanager
def postgres_server() -> Iterator[Server]:
    account = _account()
    bin_dir = _bin_dir()
    assert account is not None and bin_dir is not None, unavailable_reason()
    as_root = os.geteuid() == 0
    base = Path(tempfile.gettempdir())
    root = Path(tempfile.mkdtemp(prefix="wildside-pg-", dir=base.parent if as_root else base))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if as_root:
        root.chmod(0o755)
        for path in (root, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
    run_as = (
        {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if as_root else {}
    )
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(root), "LC_ALL": "C"}

    def server(*args: str) -> None:
        subprocess.run(
            args, env=env, cwd=root, capture_output=True, check=True, timeout=120, **run_as
        )

    try:
        server(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
               "-E", "UTF8", "--no-sync")  # fmt: skip
        options = f"-k {sockets} -c listen_addresses='' -c fsync=off -p 5432"
        server(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
               str(root / "server.log"), "-w", "start")  # fmt: skip
        try:
            yield Server(bin_dir, sockets)
        finally:
            server(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
