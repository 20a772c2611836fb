"""Ports for the tests' local peers (nginx, Kannel, HylaFAX, SMTP, SMSC, Dovecot)."""

from __future__ import annotations

import random
import socket

# Below Linux's ephemeral range (32768–60999): the port the kernel hands out for a probe on port 0
# is one every outgoing connection may take before the peer binds it; these it never hands out.
LOW, HIGH = 20000, 32000


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now, outside the range outgoing connections draw from."""
    for _ in range(200):
        port = random.randrange(LOW, HIGH)
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {LOW} and {HIGH}")
