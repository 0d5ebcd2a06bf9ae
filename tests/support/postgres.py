"""The PostgreSQL the tests run on: the configured server when it answers, else a throwaway one.

`DOORSTEP_TEST_POSTGRES_URL` names the server (default: the local `test` database). When it
does not answer, or `DOORSTEP_TEST_POSTGRES=embedded` asks for it, the test run starts its
own server from this machine's PostgreSQL binaries in a temporary folder, and stops and
removes it at the end. The xdist controller does this once (`provide`, from conftest's
`pytest_configure`) and hands the URL to the workers through the environment they inherit.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from tests.support.ports import free_port

URL_VARIABLE = "DOORSTEP_TEST_POSTGRES_URL"
MODE_VARIABLE = "DOORSTEP_TEST_POSTGRES"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
BINARY_FOLDERS = "/usr/lib/postgresql/*/bin"
# initdb refuses to run as root: the throwaway server then runs as one of these users.
UNPRIVILEGED_USERS = ("postgres", "nobody")
SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c max_connections=200"
)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL for the tests; the message is one sentence saying what to do."""


def configured_url() -> str:
    return os.environ.get(URL_VARIABLE) or DEFAULT_URL


def answers(url: str) -> bool:
    """Whether a PostgreSQL server accepts a connection at `url` (within about two seconds)."""
    try:
        with psycopg.connect(url, connect_timeout=2) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def embedded_wanted(mode: str | None, configured_answers: bool) -> bool:
    return mode == "embedded" or not configured_answers


def describe(url: str) -> str:
    """Host, port and database of a URL, without any password it may hold."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 5432}{parts.path}"


def binary_folder(search: list[Path] | None = None) -> Path:
    """The folder holding `initdb` and `pg_ctl`: from PATH first, then Debian's versioned ones."""
    if search is None:
        found = [shutil.which(name) for name in ("initdb", "pg_ctl")]
        on_path = [Path(p).resolve().parent for p in found if p]
        versioned = sorted(Path("/").glob(BINARY_FOLDERS.lstrip("/")), key=_version, reverse=True)
        search = on_path + versioned
    for folder in search:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresUnavailable(
        "No PostgreSQL programs (initdb, pg_ctl) were found to start a throwaway server for the "
        "tests: run scripts/test, which installs Debian's postgresql package, or set "
        f"{URL_VARIABLE} to a running server the tests may use."
    )


def _version(folder: Path) -> tuple[int, ...]:
    digits = folder.parent.name.split(".")
    return tuple(int(part) for part in digits if part.isdigit())


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server in a temporary folder, for one test run."""

    binaries: Path
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="doorstep-pg-")))
    port: int = 0
    account: pwd.struct_passwd | None = None

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        if os.geteuid() == 0:
            self.account = _unprivileged_account()
            os.chown(self.folder, self.account.pw_uid, self.account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        for _attempt in range(3):  # another process may take the free port first
            self.port = free_port()
            options = f"-p {self.port} -k {self.folder} {SERVER_OPTIONS}"
            log = str(self.folder / "server.log")
            started = self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options,
                                "-w", "-t", "60", "start", check=False)  # fmt: skip
            if started.returncode == 0:
                return
        raise PostgresUnavailable(
            f"The throwaway PostgreSQL for the tests did not start; its log is {log}."
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop",
                      check=False)  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(
        self, program: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        account = self.account
        done = subprocess.run(
            [str(self.binaries / program), *args],
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
            # Its own session: Ctrl-C reaches pytest, which then stops the server itself.
            start_new_session=True,
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
        )
        if check and done.returncode != 0:
            last_line = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise PostgresUnavailable(
                f"The throwaway PostgreSQL for the tests could not be set up ({program} "
                f"said: {last_line})."
            )
        return done


def _unprivileged_account() -> pwd.struct_passwd:
    for name in UNPRIVILEGED_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable(
        "The tests run as root and PostgreSQL refuses to: create a 'postgres' user "
        f"or set {URL_VARIABLE} to a running server."
    )


_running: list[EmbeddedPostgres] = []


def choose(mode: str | None, url: str) -> EmbeddedPostgres | None:
    """A started throwaway server when `mode` asks for one or `url` does not answer."""
    if not embedded_wanted(mode, answers(url)):
        return None
    server = EmbeddedPostgres(binary_folder())
    atexit.register(server.stop)  # also when the run ends in a way pytest does not see
    try:
        server.start()
    except PostgresUnavailable:
        server.stop()
        raise
    return server


def provide() -> str:
    """Choose the tests' PostgreSQL, starting a throwaway one if needed; export its URL."""
    server = choose(os.environ.get(MODE_VARIABLE), configured_url())
    if server is not None:
        _running.append(server)
    url = server.url if server else configured_url()
    os.environ[URL_VARIABLE] = url
    return url


def embedded_server() -> EmbeddedPostgres | None:
    return _running[0] if _running else None


def release() -> None:
    """Stop and remove the throwaway server, if this process started one."""
    while _running:
        _running.pop().stop()
