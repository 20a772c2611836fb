"""A real nginx on loopback in front of pytest-django's live server, configured with the
smart-card directives of deploy/nginx/smartcard.conf (the lines between its BEGIN and END
markers, verbatim but for the CA bundle's path) and the main site's proxied location of
deploy/nginx/sportello.conf. In production they are two hosts; here one server on 127.0.0.1
carries both, so that a test can log in and then follow the session.

Use it with `from .nginx import smartcard_nginx_fixture  # noqa: F401` and ask for the
`smartcard_nginx` fixture. nginx missing: the tests are skipped with the reason; under CI=true
they fail instead, as for the servers in tests/conftest.py.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import hashes

from tests import ports

from . import certs

NGINX = Path("/usr/sbin/nginx")
ON_CI = os.environ.get("CI", "").lower() == "true"
DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
SMARTCARD_CONF = DEPLOY_DIR / "smartcard.conf"
MAIN_SITE_CONF = DEPLOY_DIR / "sportello.conf"
PRODUCTION_CA_BUNDLE = "/etc/sportello/smartcard-ca.pem"
START_TIMEOUT_SECONDS = 10.0
REQUEST_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def cookies(self) -> dict[str, str]:
        """The cookies this response sets (name -> value)."""
        jar: SimpleCookie = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


@dataclass
class SmartcardNginx:
    """The running nginx: where it listens, the CAs, and a client that can present a card."""

    host: str
    port: int
    directory: Path
    server_ca_path: Path
    card_ca: certs.Issued  # the trusted issuer of card certificates (an intermediate)
    card_root: certs.Issued
    error_log: Path
    _client_files: dict[str, tuple[Path, Path]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def _client_chain(self, card: certs.Issued) -> tuple[Path, Path]:
        name = card.certificate.fingerprint(hashes.SHA256()).hex()[:20]
        if name not in self._client_files:
            self._client_files[name] = card.write(directory=self.directory, name=f"card-{name}")
        return self._client_files[name]

    def request(
        self,
        path: str,
        *,
        card: certs.Issued | None = None,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> Response:
        """GET `path` over TLS, presenting `card`'s certificate when given."""
        context = ssl.create_default_context(cafile=str(self.server_ca_path))
        if card is not None:
            cert_path, key_path = self._client_chain(card)
            context.load_cert_chain(certfile=str(cert_path), keyfile=str(key_path))
        connection = http.client.HTTPSConnection(
            self.host, self.port, context=context, timeout=REQUEST_TIMEOUT_SECONDS
        )
        return _get(connection, path, headers=headers, cookies=cookies)


def _get(
    connection: http.client.HTTPConnection,
    path: str,
    *,
    headers: dict[str, str] | None,
    cookies: dict[str, str] | None,
) -> Response:
    all_headers = {"Accept-Language": "it", **(headers or {})}
    if cookies:
        all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    try:
        connection.request("GET", path, headers=all_headers)
        answer = connection.getresponse()
        body = answer.read().decode("utf-8", errors="replace")
        return Response(status=answer.status, headers=answer.headers, body=body)
    finally:
        connection.close()


def plain_request(
    url: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> Response:
    """GET `path` straight from a plain-HTTP server (the live server), bypassing nginx."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port or 80, timeout=REQUEST_TIMEOUT_SECONDS
    )
    return _get(connection, path, headers=headers, cookies=cookies)


def smartcard_directives() -> str:
    """The smart-card lines of deploy/nginx/smartcard.conf, between BEGIN and END."""
    text = SMARTCARD_CONF.read_text(encoding="utf-8")
    found = re.search(r"^\s*# BEGIN smartcard\n(.*?)^\s*# END smartcard", text, re.M | re.S)
    if found is None:
        raise AssertionError(f"{SMARTCARD_CONF}: the BEGIN/END smartcard markers are missing")
    directives = found.group(1)
    if PRODUCTION_CA_BUNDLE not in directives:
        raise AssertionError(
            f"{SMARTCARD_CONF}: expected ssl_client_certificate {PRODUCTION_CA_BUNDLE}"
        )
    return directives


def main_site_location() -> str:
    """The `location / { … }` block of deploy/nginx/sportello.conf, braces matched."""
    text = MAIN_SITE_CONF.read_text(encoding="utf-8")
    start = re.search(r"^\s*location / \{", text, re.M)
    if start is None:
        raise AssertionError(f"{MAIN_SITE_CONF}: no 'location / {{' block")
    depth = 0
    for index in range(start.end() - 1, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[start.start() : index + 1]
    raise AssertionError(f"{MAIN_SITE_CONF}: unbalanced braces in 'location /'")


def nginx_conf(
    *,
    directory: Path,
    port: int,
    upstream: str,
    server_cert: Path,
    server_key: Path,
    card_bundle: Path,
) -> str:
    temp = directory / "temp"
    directives = smartcard_directives().replace(PRODUCTION_CA_BUNDLE, str(card_bundle))
    return f"""# Written by tests/accounts/nginx.py.
daemon off;
master_process off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;

events {{
    worker_connections 64;
}}

http {{
    access_log {directory}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;

    upstream sportello_web {{
        server {upstream};
    }}

    server {{
        listen 127.0.0.1:{port} ssl;
        server_name 127.0.0.1;
        ssl_certificate {server_cert};
        ssl_certificate_key {server_key};

        # --- from deploy/nginx/smartcard.conf
{directives}
        # --- from deploy/nginx/sportello.conf (the main site, proxied)
{main_site_location()}
    }}
}}
"""


def _free_port() -> int:
    return ports.free_port("127.0.0.1")


def _wait_for_port(*, process: subprocess.Popen, port: int, error_log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        if process.poll() is not None:
            log = error_log.read_text(errors="replace") if error_log.exists() else ""
            pytest.fail(f"nginx exited with {process.returncode}:\n{log}", pytrace=False)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not listen on {port} within {START_TIMEOUT_SECONDS}s")
            time.sleep(0.02)  # polling interval, not a wait for readiness


def _live_server_address(live_server) -> str:
    parts = urlsplit(live_server.url)
    host = "127.0.0.1" if parts.hostname in (None, "localhost") else parts.hostname
    return f"{host}:{parts.port}"


@pytest.fixture(scope="session", name="smartcard_nginx")
def smartcard_nginx_fixture(live_server, tmp_path_factory) -> Iterator[SmartcardNginx]:
    if not NGINX.exists():
        message = "nginx is not installed (apt-get install nginx-light)"
        if ON_CI:
            pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
        pytest.skip(message)

    directory = tmp_path_factory.mktemp("nginx")
    (directory / "temp").mkdir()
    server_ca = certs.ca_create(common_name="CA del server di test")
    server_cert, server_key = certs.server_certificate(ca=server_ca).write(
        directory=directory, name="server"
    )
    server_ca_path = directory / "server-ca.pem"
    server_ca_path.write_bytes(server_ca.cert_pem)
    # Cards are issued by an intermediate under a root, as CIE and CNS are: the bundle holds both.
    card_root = certs.ca_create(common_name="Radice carte di test")
    card_ca = certs.ca_create(common_name="CA carte di test", parent=card_root)
    card_bundle = directory / "smartcard-ca.pem"
    card_bundle.write_bytes(card_root.cert_pem + card_ca.cert_pem)

    port = _free_port()
    conf = directory / "nginx.conf"
    conf.write_text(
        nginx_conf(
            directory=directory,
            port=port,
            upstream=_live_server_address(live_server),
            server_cert=server_cert,
            server_key=server_key,
            card_bundle=card_bundle,
        )
    )
    error_log = directory / "error.log"
    with (directory / "nginx.out").open("wb") as output:
        process = subprocess.Popen(
            [str(NGINX), "-p", str(directory), "-c", str(conf), "-e", str(error_log)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(process=process, port=port, error_log=error_log)
        yield SmartcardNginx(
            host="127.0.0.1",
            port=port,
            directory=directory,
            server_ca_path=server_ca_path,
            card_ca=card_ca,
            card_root=card_root,
            error_log=error_log,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
