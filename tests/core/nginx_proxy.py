"""A real nginx on loopback in front of pytest-django's live server, proxying as the main site's
`location /` of deploy/nginx/sportello.conf says (verbatim), over plain HTTP.

Each client may connect from its own loopback address (127.0.0.2, 127.0.0.3, …): nginx sees
them as different people, while Django sees every request come from nginx at 127.0.0.1, as in
production. Use it with `from tests.core.nginx_proxy import proxy_nginx_fixture  # noqa: F401`.
nginx missing: skipped with the reason; under CI=true the tests fail instead.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import ports
from tests.accounts.nginx import NGINX, main_site_location

ON_CI = os.environ.get("CI", "").lower() == "true"
START_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    def json(self) -> dict:
        return json.loads(self.body)

    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


@dataclass(frozen=True)
class ProxyNginx:
    host: str
    port: int
    directory: Path

    def request(
        self,
        method: str,
        path: str,
        *,
        source: str = "127.0.0.2",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """One request from the loopback address `source`, as a client there would send it."""
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=30, source_address=(source, 0)
        )
        try:
            connection.request(
                method, path, body=body, headers={"Accept-Language": "it", **(headers or {})}
            )
            answer = connection.getresponse()
            return Answer(
                status=answer.status,
                headers=answer.headers,
                body=answer.read().decode("utf-8", errors="replace"),
            )
        finally:
            connection.close()

    def post_json(self, path: str, data: dict, **kwargs) -> Answer:
        headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
        return self.request("POST", path, body=json.dumps(data).encode(), headers=headers, **kwargs)


def _free_port() -> int:
    return ports.free_port("127.0.0.1")


@pytest.fixture(scope="session", name="proxy_nginx")
def proxy_nginx_fixture(live_server, tmp_path_factory) -> Iterator[ProxyNginx]:
    if not NGINX.exists():
        message = "nginx is not installed (apt-get install nginx-light)"
        if ON_CI:
            pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
        pytest.skip(message)
    directory = tmp_path_factory.mktemp("proxy-nginx")
    temp = directory / "temp"
    temp.mkdir()
    parts = urlsplit(live_server.url)
    upstream = f"127.0.0.1:{parts.port}"
    port = _free_port()
    conf = directory / "nginx.conf"
    conf.write_text(
        f"""# Written by tests/core/nginx_proxy.py.
daemon off;
master_process off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream sportello_web {{ server {upstream}; }}
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        # --- from deploy/nginx/sportello.conf
{main_site_location()}
    }}
}}
"""
    )
    error_log = directory / "error.log"
    process = subprocess.Popen(
        [str(NGINX), "-p", str(directory), "-c", str(conf), "-e", str(error_log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                log = error_log.read_text(errors="replace") if error_log.exists() else ""
                pytest.fail(f"nginx exited with {process.returncode}:\n{log}", pytrace=False)
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"nginx did not listen on {port} in {START_TIMEOUT_SECONDS}s")
                time.sleep(0.02)  # polling interval, not a wait for readiness
        yield ProxyNginx(host="127.0.0.1", port=port, directory=directory)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
