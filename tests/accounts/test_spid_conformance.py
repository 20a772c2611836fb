"""AgID's own conformance tool, spid-sp-test, against the running service provider.

The tool plays the identity provider «https://localhost:8443»: its metadata is given to the SP
as the federation's would be. It checks our metadata (spid-sp-public, cie-sp-public), our
AuthnRequest, and then posts its response test cases to our ACS — a correct response must log
in (HTTP 200 after the redirects), each forged, unsigned, expired, replayed or malformed one
must be refused (4xx). `make test` installs the tool in .tools/ (its own venv: it pins old
libraries); without it these tests skip, and under CI=true they fail.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from sportello.accounts.spid import config
from tests.conftest import ON_CI

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
TOOL = Path(os.environ.get("SPID_SP_TEST", ROOT / ".tools/spid-sp-test/bin/spid_sp_test"))
TOOL_IDP = "https://localhost:8443"
SUMMARY = re.compile(r"Spid QA: executed (\d+) tests, (\d+) failed")


@pytest.fixture(scope="module")
def tool() -> Path:
    if not TOOL.exists():
        message = f"spid-sp-test is not installed at {TOOL} (make test installs it)"
        if ON_CI:
            pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
        pytest.skip(message)
    if config.xmlsec_binary() is None:
        message = "xmlsec1 is not installed (apt-get install xmlsec1)"
        if ON_CI:
            pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
        pytest.skip(message)
    return TOOL


def run_tool(tool: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(tool), *args, "--extra", "--debug", "ERROR"],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tool.parent,
    )


@pytest.fixture
def federation(tool: Path, tmp_path: Path, live_server, settings, municipality):
    """The tool's IdP in the SP's list of providers, for SPID and for CIE."""
    metadata = subprocess.run(
        [str(tool), "--idp-metadata"], capture_output=True, text=True, check=True
    ).stdout
    for protocol in ("spid", "cie"):
        folder = tmp_path / protocol
        folder.mkdir()
        (folder / "spid-sp-test.xml").write_text(metadata, encoding="utf-8")
    settings.SPORTELLO_SPID = {
        **settings.SPORTELLO_SPID,
        "metadata_dir": tmp_path,
        "ipa_code": "c_e625",
    }
    # Dozens of refused responses come from this one address in a few seconds: that is the
    # test, not an attack, so django-axes must not lock the tool out half way.
    settings.AXES_FAILURE_LIMIT = 10_000
    config.config_reset()
    yield live_server.url
    config.config_reset()


def assert_passed(result: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    output = result.stdout + result.stderr
    summary = SUMMARY.search(output)
    assert summary, f"no summary from spid-sp-test:\n{output[-3000:]}"
    executed, failed = int(summary.group(1)), int(summary.group(2))
    errors = "\n".join(line for line in output.splitlines() if line.startswith("ERROR"))
    assert failed == 0 and result.returncode == 0, f"spid-sp-test failures:\n{errors}"
    return executed, failed


def test_spid_metadata_request_and_responses_pass(tool: Path, federation: str) -> None:
    result = run_tool(
        tool,
        "--metadata-url",
        f"{federation}/spid/metadata/",
        "--authn-url",
        f"{federation}/spid/login/?idp={TOOL_IDP}",
        "--profile",
        "spid-sp-public",
        "--test-response",
    )

    executed, _failed = assert_passed(result)
    assert executed > 200  # metadata, AuthnRequest and every response case ran


def test_cie_metadata_request_and_responses_pass(tool: Path, federation: str) -> None:
    result = run_tool(
        tool,
        "--metadata-url",
        f"{federation}/cie/metadata/",
        "--authn-url",
        f"{federation}/cie/login/?idp={TOOL_IDP}",
        "--profile",
        "cie-sp-public",
        "--test-response",
    )

    executed, _failed = assert_passed(result)
    assert executed > 200


VALIDATE = """
import pathlib, sys
from spid_compliant_certificates.validator.validate import validate
report = validate(pathlib.Path(sys.argv[1]), "public")
failed = [c.description for t in report.tests for c in t.checks if not c.is_success()]
print("checks:", sum(len(t.checks) for t in report.tests))
print("failed:", failed)
sys.exit(1 if failed else 0)
"""


def test_the_sp_certificate_passes_agids_validator(tool: Path) -> None:
    """The certificate `spid_setup` makes, checked by the validator of spid-compliant-certificates
    (the package of AgID's generator), as Avviso SPID n. 29 v3 wants it for a public body."""
    result = subprocess.run(
        [str(tool.parent / "python"), "-c", VALIDATE, str(settings.SPORTELLO_SPID["cert_file"])],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed: []" in result.stdout
