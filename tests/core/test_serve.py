"""`sportello serve --port N`: the web server and the workers agree on their public address, so
a certificate's QR code and link lead to the same place as the pages (and the letter)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import call_command

from sportello.demo.management.commands import serve


class FakeProcess:
    started: list[dict] = []

    def __init__(self, command, env=None) -> None:
        FakeProcess.started.append(env)

    def wait(self, timeout=None) -> int:
        return 0

    def poll(self) -> int:
        return 0


@pytest.mark.django_db
def test_serve_gives_its_port_to_the_web_server_and_the_workers(monkeypatch) -> None:
    monkeypatch.delenv("SPORTELLO_PUBLIC_URL", raising=False)
    monkeypatch.setattr(serve.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(serve, "_port_in_use", lambda host, port: False)
    FakeProcess.started = []
    with pytest.raises(SystemExit):  # the fake processes stop at once
        call_command("serve", "--port", "8765", "--host", "0.0.0.0")  # noqa: S104
    assert [env["SPORTELLO_PUBLIC_URL"] for env in FakeProcess.started] == [
        "http://127.0.0.1:8765"
    ] * 3


def test_an_explicit_public_url_is_kept(monkeypatch) -> None:
    monkeypatch.setenv("SPORTELLO_PUBLIC_URL", "https://sportello.comune.example.it")
    environment = serve.child_environment(host="127.0.0.1", port=9000)
    assert environment["SPORTELLO_PUBLIC_URL"] == "https://sportello.comune.example.it"


def test_the_settings_of_a_served_process_use_that_address(monkeypatch) -> None:
    monkeypatch.delenv("SPORTELLO_PUBLIC_URL", raising=False)
    environment = serve.child_environment(host="127.0.0.1", port=8765)
    environment["DJANGO_SETTINGS_MODULE"] = "sportello.config.settings.local"
    code = (
        "import django; django.setup(); "
        "from sportello.certificates.issuing import verify_url; "
        "print(verify_url(code='ABCD-EFGH-JKLM'))"
    )
    printed = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    ).stdout
    assert printed.strip().startswith("http://127.0.0.1:8765/")


def test_gunicorn_leaves_no_control_socket_in_the_home_folder(tmp_path) -> None:
    """A shared home (several checkouts, a shared account) gets no ~/.gunicorn/gunicorn.ctl."""
    from tests.ports import free_port

    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    environment = serve.child_environment(host="127.0.0.1", port=port)
    environment.update(HOME=str(home), DJANGO_SETTINGS_MODULE="sportello.config.settings.local")
    web = subprocess.Popen(
        serve.web_command(host="127.0.0.1", port=port, workers=1),
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in web.stderr:  # gunicorn says when it listens, and when its worker is up
            if "Booting worker" in line:
                break
    finally:
        web.terminate()
        web.wait(timeout=30)
    assert not (home / ".gunicorn").exists()
