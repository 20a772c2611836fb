"""A real Dovecot IMAP server on loopback, for tests of the PEC mailbox reader.

Dovecot (Debian package dovecot-imapd) runs in the foreground from a configuration written in a
temporary directory, which also holds everything it writes (runtime sockets, state, log, the
maildir): the system's Dovecot and /etc are not touched. It listens on 127.0.0.1, on a free
port, with IMAPS only and a self-signed certificate made here; one user, from a passwd-file.

As root (CI), Dovecot's processes drop to its own users (dovecot, dovenull: created by the
package) and mail is stored as `nobody`, because Dovecot refuses to run login or mail processes
as root. As another user, every process runs as that user.

Without Dovecot the tests are skipped with a reason; under CI=true they fail instead.
"""

from __future__ import annotations

import contextlib
import datetime
import grp
import imaplib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sportello.accounts.mailbox import MailboxSettings
from tests import ports

DOVECOT = Path("/usr/sbin/dovecot")
ON_CI = os.environ.get("CI", "").lower() == "true"
HOST = "127.0.0.1"
USERNAME = "protocollo"
PASSWORD = "Pec-di-prova-7Qz!"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


@dataclass
class DovecotServer:
    host: str
    port: int
    username: str
    password: str
    ssl_context: ssl.SSLContext
    log_path: Path
    ca_file: Path

    def settings(self, **overrides: object) -> MailboxSettings:
        values: dict[str, object] = {
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "password": self.password,
            "ssl_context": self.ssl_context,
            "timeout": 5.0,
        }
        values.update(overrides)
        return MailboxSettings(**values)  # type: ignore[arg-type]

    @contextlib.contextmanager
    def session(self, *, folder: str = "INBOX") -> Iterator[imaplib.IMAP4_SSL]:
        client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=self.ssl_context, timeout=5)
        try:
            client.login(self.username, self.password)
            status, data = client.select(folder)
            assert status == "OK", data
            yield client
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        with self.session(folder=folder) as client:
            for raw in messages:
                status, data = client.append(folder, None, None, raw)
                assert status == "OK", data

    def clear(self, *, folder: str = "INBOX") -> None:
        with self.session(folder=folder) as client:
            client.uid("STORE", "1:*", "+FLAGS.SILENT", r"(\Deleted)")
            client.expunge()

    def unseen(self, *, folder: str = "INBOX") -> list[bytes]:
        """The raw unseen messages, read without marking them seen."""
        with self.session(folder=folder) as client:
            _status, data = client.uid("SEARCH", None, "UNSEEN")
            found = []
            for uid in data[0].split():
                _status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
                found.append(fetched[0][1])
            return found


def _free_port() -> int:
    return ports.free_port(HOST)


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "server.pem", directory / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def _existing_user(*names: str) -> str:
    for name in names:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name).pw_name
    raise LookupError(f"none of the users {names} exists")


def _users() -> tuple[str, str, str, int, int]:
    """(internal user, internal group, login user, mail uid, mail gid)."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(me.pw_gid).gr_name
        return me.pw_name, group, me.pw_name, me.pw_uid, me.pw_gid
    internal = _existing_user("dovecot", "nobody")
    mail_user = pwd.getpwnam("nobody")
    return (
        internal,
        grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name,
        _existing_user("dovenull", "nobody"),
        mail_user.pw_uid,
        mail_user.pw_gid,
    )


def _config(*, directory: Path, port: int, cert: Path, key: Path) -> str:
    internal_user, internal_group, login_user, mail_uid, mail_gid = _users()
    mail_group = grp.getgrgid(mail_gid).gr_name
    return f"""
instance_name = sportello-test-{port}
base_dir = {directory}/run
state_dir = {directory}/state
log_path = {directory}/dovecot.log
info_log_path = {directory}/dovecot.log
protocols = imap
listen = {HOST}
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {min(mail_uid, 500)}
first_valid_gid = 0
auth_mechanisms = plain login
auth_failure_delay = 0
auth_verbose = yes
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {directory}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_group} home={directory}/mail/%u
}}
mail_location = maildir:~/Maildir
mail_fsync = never
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {port}
    ssl = yes
  }}
  process_min_avail = 1
  chroot =
}}
# No chroot: an unprivileged user cannot. No growing delay after a wrong password (auth
# penalty): tests try one on purpose.
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def _log(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-4000:]
    except OSError:
        return "(no log)"


@contextlib.contextmanager
def dovecot_running() -> Iterator[DovecotServer]:
    """Start Dovecot, wait until it answers, and stop it afterwards."""
    if not DOVECOT.exists():
        message = "Dovecot is not installed (apt-get install dovecot-imapd)"
        if ON_CI:
            pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
        pytest.skip(message)

    directory = Path(tempfile.mkdtemp(prefix="sportello-dovecot-"))
    # Dovecot's unprivileged processes must reach their sockets and the maildir.
    directory.chmod(0o755)
    process: subprocess.Popen[bytes] | None = None
    try:
        port = _free_port()
        cert, key = _self_signed(directory)
        *_processes, mail_uid, mail_gid = _users()
        for name in ("run", "state", "mail"):
            (directory / name).mkdir()
        os.chown(directory / "mail", mail_uid, mail_gid)
        passwd = directory / "passwd"
        passwd.write_text(f"{USERNAME}:{{PLAIN}}{PASSWORD}::::::\n")
        passwd.chmod(0o644)
        config = directory / "dovecot.conf"
        config.write_text(_config(directory=directory, port=port, cert=cert, key=key))
        log_path = directory / "dovecot.log"

        with (directory / "stdout.log").open("wb") as output:
            process = subprocess.Popen(
                [str(DOVECOT), "-F", "-c", str(config)], stdout=output, stderr=subprocess.STDOUT
            )
        _wait_until_listening(process=process, port=port, log_path=log_path, directory=directory)
        yield DovecotServer(
            host=HOST,
            port=port,
            username=USERNAME,
            password=PASSWORD,
            ssl_context=ssl.create_default_context(cafile=str(cert)),
            log_path=log_path,
            ca_file=cert,
        )
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def _wait_until_listening(
    *, process: subprocess.Popen[bytes], port: int, log_path: Path, directory: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"Dovecot exited with status {process.returncode}:\n"
                f"{_log(directory / 'stdout.log')}\n{_log(log_path)}",
                pytrace=False,
            )
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)  # polling interval, not a wait for readiness
    pytest.fail(
        f"Dovecot did not listen on {HOST}:{port} within {START_TIMEOUT:g} s:\n{_log(log_path)}",
        pytrace=False,
    )


# Fixture functions are named apart from their fixtures, so that test modules can import them
# (`from tests.accounts.dovecot import dovecot_server_fixture`) without shadowing their arguments.
@pytest.fixture(scope="session", name="dovecot_server")
def dovecot_server_fixture() -> Iterator[DovecotServer]:
    with dovecot_running() as server:
        yield server


@pytest.fixture(name="dovecot_mailbox")
def dovecot_mailbox_fixture(dovecot_server: DovecotServer) -> DovecotServer:
    """The server with an empty INBOX."""
    dovecot_server.clear()
    return dovecot_server
