"""Text to speech with espeak-ng, for the phone simulator and the alert console's "listen"."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

ESPEAK = "espeak-ng"
VOICES = {"it": "it", "en": "en-gb"}
MAX_CHARS = 3000


def speech_available() -> bool:
    return shutil.which(ESPEAK) is not None


def speech_wav(text: str, language: str = "it") -> bytes | None:
    """The text spoken by espeak-ng, as a WAV file; None when espeak-ng is not installed or
    fails. The text goes through standard input, never the command line."""
    if not speech_available() or not text.strip():
        return None
    with tempfile.TemporaryDirectory() as directory:
        # Written to a file rather than --stdout: a streamed WAV carries no length, and some
        # browsers then cannot seek in it.
        target = Path(directory) / "voice.wav"
        try:
            result = subprocess.run(
                [ESPEAK, "-v", VOICES.get(language, "it"), "-s", "140", "--stdin"]
                + ["-w", str(target)],
                input=text[:MAX_CHARS].encode("utf-8"),
                capture_output=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if result.returncode != 0 or not target.exists():
            return None
        return target.read_bytes()
