"""A real Kannel on loopback for the Kannel provider's tests.

Debian's kannel package provides bearerbox and smsbox; kannel-extras provides fakesmsc, Kannel's
own test SMSC. The fixture writes a kannel.conf in a temporary directory (a core group, an
smsbox with its sendsms port, a `fake` SMSC and a sendsms-user), starts the three programs on
free loopback ports, and reads what fakesmsc prints for each message it receives. Delivery
reports go to a small HTTP recorder here, from which a test replays them to our view.

Without the packages the tests are skipped with a reason; under CI=true they fail instead.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import ports

ON_CI = os.environ.get("CI", "").lower() == "true"
HOST = "127.0.0.1"
USERNAME = "sportello"
PASSWORD = "sendsms-secret"  # noqa: S105 - a test gateway's
ADMIN_PASSWORD = "admin-secret"  # noqa: S105
START_TIMEOUT = 15.0
SEARCH = {
    "bearerbox": ("/usr/sbin", "/usr/local/sbin"),
    "smsbox": ("/usr/sbin", "/usr/local/sbin"),
    "fakesmsc": ("/usr/lib/kannel/test", "/usr/lib/kannel", "/usr/local/lib/kannel/test"),
}
NOT_INSTALLED = "Kannel is not installed (apt-get install kannel kannel-extras)"
_GOT = re.compile(r"Got message \d+: <(.*)>$")


def kannel_programs() -> dict[str, str]:
    """The programs' paths; skips the test (fails it on CI) when one is missing."""
    found = {}
    for name, folders in SEARCH.items():
        path = shutil.which(name) or next(
            (f"{folder}/{name}" for folder in folders if os.access(f"{folder}/{name}", os.X_OK)),
            None,
        )
        if path is None:
            if ON_CI:
                pytest.fail(f"{NOT_INSTALLED}, and CI=true requires it", pytrace=False)
            pytest.skip(NOT_INSTALLED)
        found[name] = path
    return found


def _free_port() -> int:
    return ports.free_port(HOST)


@dataclass(frozen=True)
class FakeMessage:
    """A message as fakesmsc received it."""

    sender: str
    receiver: str
    kind: str  # text, data, ucs-2
    udh: bytes
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-16-be" if self.kind == "ucs-2" else "utf-8")


def _parse(line: str) -> FakeMessage:
    sender, receiver, kind, rest = line.split(" ", 3)
    udh = b""
    if kind == "udh":
        encoded_udh, kind, rest = rest.split(" ", 2)
        udh = _unquote(encoded_udh)
    data = rest.encode("utf-8") if kind == "text" else _unquote(rest)
    return FakeMessage(sender=sender, receiver=receiver, kind=kind, udh=udh, data=data)


def _unquote(value: str) -> bytes:
    return urllib.parse.unquote_to_bytes(value.replace("+", " "))


@dataclass
class Kannel:
    folder: Path
    programs: dict[str, str]
    admin_port: int = field(default_factory=_free_port)
    box_port: int = field(default_factory=_free_port)
    smsc_port: int = field(default_factory=_free_port)
    sendsms_port: int = field(default_factory=_free_port)
    _processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def sendsms_url(self) -> str:
        return f"http://{HOST}:{self.sendsms_port}/cgi-bin/sendsms"

    def start(self) -> None:
        self._write_config()
        self._start("bearerbox", [self.programs["bearerbox"], "-v", "1", self._config])
        _wait_for(lambda: "Status: running" in self.status(), "bearerbox did not start", self)
        self._start(
            "fakesmsc",
            # -m 0: send no message of its own, print those it receives.
            [self.programs["fakesmsc"], "-H", HOST, "-r", str(self.smsc_port), "-m", "0", "x"],
        )
        self._start("smsbox", [self.programs["smsbox"], "-v", "1", self._config])
        _wait_for(self._ready, "Kannel did not become ready", self)

    def stop(self) -> None:
        for name in ("smsbox", "fakesmsc", "bearerbox"):
            process = self._processes.pop(name, None)
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def status(self) -> str:
        url = f"http://{HOST}:{self.admin_port}/status.txt?password={ADMIN_PASSWORD}"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback
                return response.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError):
            return ""

    def received(self) -> list[FakeMessage]:
        path = self.folder / "fakesmsc.log"
        lines = path.read_text("utf-8", "replace").splitlines() if path.exists() else []
        return [_parse(found.group(1)) for line in lines if (found := _GOT.search(line))]

    def wait_for_messages(self, count: int) -> list[FakeMessage]:
        _wait_for(lambda: len(self.received()) >= count, f"fakesmsc got no {count} messages", self)
        return self.received()

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n" + "\n".join(log.read_text("utf-8", "replace").splitlines()[-15:])
            for log in sorted(self.folder.glob("*.log"))
        )

    @property
    def _config(self) -> str:
        return str(self.folder / "kannel.conf")

    def _write_config(self) -> None:
        (self.folder / "kannel.conf").write_text(
            f"""
group = core
admin-port = {self.admin_port}
admin-interface = {HOST}
admin-password = {ADMIN_PASSWORD}
smsbox-port = {self.box_port}
smsbox-interface = {HOST}
box-allow-ip = {HOST}
log-file = "{self.folder}/bearerbox-core.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {self.smsc_port}
our-host = {HOST}
connect-allow-ip = {HOST}

group = smsbox
bearerbox-host = {HOST}
bearerbox-port = {self.box_port}
sendsms-port = {self.sendsms_port}
sendsms-interface = {HOST}
log-file = "{self.folder}/smsbox-core.log"
log-level = 1

group = sendsms-user
username = {USERNAME}
password = {PASSWORD}
max-messages = 10
concatenation = true
"""
        )

    def _start(self, name: str, command: list[str]) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self._processes[name] = subprocess.Popen(  # noqa: S603 - fixed programs
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
            start_new_session=True,
        )
        log.close()

    def _ready(self) -> bool:
        status = self.status()
        if "smsbox:" not in status or "(online" not in status:
            return False
        try:
            urllib.request.urlopen(self.sendsms_url, timeout=1).close()  # noqa: S310
        except urllib.error.HTTPError:
            return True  # answering: a request without parameters is refused
        except (urllib.error.URLError, OSError):
            return False
        return True


def _wait_for(condition: Callable[[], object], message: str, kannel: Kannel) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{message}\n{kannel.logs()}")
        time.sleep(0.05)


@contextlib.contextmanager
def kannel_prepared() -> Iterator[Kannel]:
    """A Kannel with its configuration, not started yet; stopped at the end."""
    programs = kannel_programs()
    with tempfile.TemporaryDirectory(prefix="sportello-kannel-") as folder:
        kannel = Kannel(folder=Path(folder), programs=programs)
        try:
            yield kannel
        finally:
            kannel.stop()


class DlrRecorder:
    """Stands where our web server would: records the report requests Kannel makes."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                recorder.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.base = f"http://{HOST}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
