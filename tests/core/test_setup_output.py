"""`make setup` prints only what matters: no warning about the demo seal before the step that
makes it, and no kombu «No hostname» lines."""

from __future__ import annotations

import logging
import re
from pathlib import Path

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def test_the_seal_is_made_before_any_command_runs_the_checks() -> None:
    recipe = MAKEFILE.read_text().split("\nsetup:", 1)[1].split("\n\n", 1)[0]
    steps = re.findall(r"sportello (\w+)", recipe)
    assert steps.index("certificates_demo_seal") < steps.index("migrate")
    assert steps[0] == "compile_translations"


def test_the_first_steps_run_no_system_checks() -> None:
    """The checks would warn that the seal is missing, just before the step that makes it."""
    from django.core.management import load_command_class

    for app, name in [
        ("sportello.core", "compile_translations"),
        ("sportello.certificates", "certificates_demo_seal"),
    ]:
        assert load_command_class(app, name).requires_system_checks == [], name


def test_kombu_has_no_hostname_to_complain_about() -> None:
    assert logging.getLogger("kombu.connection").getEffectiveLevel() >= logging.ERROR


def test_the_first_steps_print_only_what_they_did(tmp_path) -> None:
    """Run as `make setup` runs them, on a fresh var/: no warning (a library's deprecation, the
    missing seal), no library's log line; only what was made and where."""
    import os
    import subprocess
    import sys

    environment = {
        **os.environ,
        "SPORTELLO_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sportello.config.settings.local",
    }
    environment.pop("PYTHONWARNINGS", None)
    printed = []
    for step in ("compile_translations", "certificates_demo_seal", "spid_setup"):
        done = subprocess.run(
            [sys.executable, "-m", "sportello", step],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        printed += (done.stdout + done.stderr).splitlines()
    noise = [line for line in printed if re.search(r"warn|deprecat|INFO|DEBUG", line, re.I)]
    assert noise == []
    assert any("sigillo di prova" in line for line in printed)
