"""A real HylaFAX server on loopback, for the HylaFAX provider's tests.

Debian's hylafax-server package provides the client-server daemon (hfaxd) and the scheduler
(faxq). Both run here on a private copy of the package's spool (/var/spool/hylafax, with
/etc/hylafax as its etc/), in a temporary directory, so the system's server is not touched. With
no modem the scheduler keeps a submitted job in its queue: there `faxstat -s` and the job's file
(sendq/q<id>) show what the client submitted, and docq/ holds the page images it uploaded.

Both daemons start as root and switch to the spool's owner (uucp), as they refuse to run
otherwise. Without the package, or not as root, the tests are skipped with a reason; under
CI=true they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import ports

ON_CI = os.environ.get("CI", "").lower() == "true"
HOST = "127.0.0.1"
PACKAGE_SPOOL = Path("/var/spool/hylafax")
PACKAGE_ETC = Path("/etc/hylafax")
PROGRAMS = ("hfaxd", "faxq", "sendfax", "faxstat")
START_TIMEOUT = 10.0
QUEUE_FIELDS = ("job", "owner", "number", "tag")
QUEUE_FORMAT = "%j|%o|%e|%J"


def _unavailable(message: str) -> None:
    if ON_CI:
        pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
    pytest.skip(message)


@dataclass
class HylaFaxServer:
    port: int
    spool: Path
    allowed_owner: str
    _processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def start_scheduler(self) -> None:
        """faxq: without it hfaxd takes the job but cannot queue it (460 Failed to submit)."""
        self._start("faxq", ["faxq", "-q", str(self.spool), "-D"])
        _wait_for(lambda: (self.spool / "FIFO").exists(), "faxq did not create its FIFO")

    def start_server(self) -> None:
        command = ["hfaxd", "-q", str(self.spool), "-d", "-l", HOST, "-i", str(self.port)]
        self._start("hfaxd", command)
        _wait_for(lambda: _answers(self.port), f"hfaxd does not answer on port {self.port}")

    def queue(self) -> list[dict[str, str]]:
        """The scheduler's queue as `faxstat -s` lists it: job id, owner, number, job tag."""
        # hfaxd has been seen (rarely, under load) to leave one connection unanswered: the
        # listing is read again rather than the test failing on the server's hiccup.
        for attempt in range(3):
            try:
                output = subprocess.run(
                    ["faxstat", "-h", self.address, "-s"],
                    # The one login allowed, and a ~/.hylarc that sets the columns (JobFmt).
                    env={
                        **os.environ,
                        "FAXUSER": self.allowed_owner,
                        "HOME": str(self.spool.parent),
                    },
                    capture_output=True,
                    text=True,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    timeout=10,
                    check=True,
                ).stdout
                break
            except subprocess.TimeoutExpired:
                if attempt == 2:
                    raise
        rows = [line.split("|") for line in output.splitlines() if line.count("|") == 3]
        return [dict(zip(QUEUE_FIELDS, row, strict=True)) for row in rows[1:]]  # 0: headings

    def job(self, job_id: str) -> dict[str, str]:
        """The job as the server recorded it (sendq/q<id>: one `name:value` a line)."""
        text = (self.spool / "sendq" / f"q{job_id}").read_text()
        return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)

    def document(self, job: dict[str, str]) -> bytes:
        """The first document of the job, as uploaded (`tiff:0::docq/doc1.tif.1`)."""
        return (self.spool / job["tiff"].split("::", 1)[1]).read_bytes()

    def _start(self, name: str, command: list[str]) -> None:
        # Both log to syslog, not to their standard streams.
        self._processes[name] = subprocess.Popen(  # noqa: S603 - fixed programs
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def stop(self) -> None:
        for process in self._processes.values():
            process.terminate()
        for process in self._processes.values():
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._processes.clear()


@contextlib.contextmanager
def hylafax_spool(*, allowed_owner: str) -> Iterator[HylaFaxServer]:
    """A private spool for a server that lets `allowed_owner` in from loopback without a
    password; the caller starts the daemons it wants. Stopped and removed afterwards."""
    missing = [program for program in PROGRAMS if shutil.which(program) is None]
    if missing or not PACKAGE_SPOOL.is_dir():
        _unavailable(
            f"HylaFAX is not installed ({', '.join(missing) or PACKAGE_SPOOL} missing: "
            "apt-get install hylafax-server)"
        )
    if os.geteuid() != 0:
        _unavailable("hfaxd and faxq must start as root (they switch to the uucp user)")
    fax_user = pwd.getpwnam("uucp")
    directory = Path(tempfile.mkdtemp(prefix="sportello-hylafax-"))
    directory.chmod(0o755)  # the daemons, as uucp, must reach the spool inside
    server = HylaFaxServer(_free_port(), directory / "spool", allowed_owner)
    try:
        shutil.copytree(PACKAGE_SPOOL, server.spool, symlinks=True)
        shutil.copytree(PACKAGE_ETC, server.spool / "etc", symlinks=True, dirs_exist_ok=True)
        (server.spool / "etc" / "hosts.hfaxd").write_text(
            f"^{allowed_owner}@{HOST.replace('.', '[.]')}$\n"
        )
        (directory / ".hylarc").write_text(f'JobFmt: "{QUEUE_FORMAT}"\n')
        for path in [server.spool, *server.spool.rglob("*")]:
            os.chown(path, fax_user.pw_uid, fax_user.pw_gid, follow_symlinks=False)
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def _wait_for(condition, message: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(message)
        time.sleep(0.02)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    return ports.free_port(HOST)
