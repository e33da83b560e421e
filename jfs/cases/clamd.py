"""Malware scanning of uploads through ClamAV's daemon (clamd), a pluggable hook.

``scan(data)`` answers a ``Verdict`` for the file as it was uploaded:

- ``JFS_MALWARE_SCANNER = ""`` (default): no scanner, ``not_scanned``;
- ``JFS_MALWARE_SCANNER = "clamd"``: the bytes are streamed to clamd with its ``INSTREAM``
  command over TCP (``JFS_CLAMD_HOST``/``JFS_CLAMD_PORT``) or a Unix socket
  (``JFS_CLAMD_SOCKET``), within ``JFS_CLAMD_TIMEOUT`` seconds. ``stream: OK`` is ``clean``;
  ``stream: <signature> FOUND`` is ``quarantined`` with ``malware found: <signature>``; an
  ``ERROR`` reply, a refused connection, a timeout or anything unexpected is ``quarantined``
  with ``scanner unavailable`` (the file is kept, never served, until someone looks at it).

The wire format (clamd's documentation, "INSTREAM"): the command ``zINSTREAM\\0``, then the
data in chunks, each preceded by its length as a 4-byte unsigned big-endian integer, then a
zero length; clamd answers one line ended by ``\\0`` (the ``z`` prefix) and closes.
``jfs.cases.clamd_sim`` speaks the same format for tests and local development.

Logs name the outcome and the exception type only: never the file, its name or the request.
"""

from __future__ import annotations

import logging
import re
import socket
import struct
from dataclasses import dataclass

from django.conf import settings

from jfs.cases.models import SCAN_CLEAN, SCAN_MALWARE_FOUND, SCAN_NOT_SCANNED, SCAN_QUARANTINED, SCAN_UNAVAILABLE
from jfs.core import clock

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
MAX_REPLY = 4096
SCANNER_UNAVAILABLE = SCAN_UNAVAILABLE
MALWARE_FOUND = SCAN_MALWARE_FOUND
_FOUND = re.compile(r"^stream: (?P<signature>.+) FOUND$")
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


class ClamdUnavailable(Exception):
    """The daemon could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Verdict:
    status: str  # SCAN_NOT_SCANNED | SCAN_CLEAN | SCAN_QUARANTINED
    reason: str = ""


def _connect(*, host: str, port: int, socket_path: str, timeout: float) -> socket.socket:
    if socket_path:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(socket_path)
        except OSError:
            sock.close()
            raise
        return sock
    return socket.create_connection((host, port), timeout=timeout)


def _read_reply(sock: socket.socket, deadline: float) -> bytes:
    reply = b""
    while b"\0" not in reply and len(reply) < MAX_REPLY:
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            raise ClamdUnavailable("timed out")
        sock.settimeout(remaining)
        part = sock.recv(MAX_REPLY)
        if not part:
            break
        reply += part
    return reply.split(b"\0", 1)[0]


def instream(data: bytes, *, host: str = "127.0.0.1", port: int = 3310, socket_path: str = "",
             timeout: float = 30.0) -> str:
    """Send ``data`` with INSTREAM; return clamd's reply line (e.g. ``stream: OK``).

    Raises ``ClamdUnavailable`` (or ``OSError``) when the daemon cannot be reached, stops
    answering or does not answer within ``timeout`` seconds in all.
    """
    deadline = clock.monotonic() + timeout
    with _connect(host=host, port=port, socket_path=socket_path, timeout=timeout) as sock:
        try:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                if clock.monotonic() > deadline:
                    raise ClamdUnavailable("timed out")
                chunk = data[start:start + CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
        except (BrokenPipeError, ConnectionResetError):
            # clamd stops reading and answers at once when the stream is over its limit
            reply = _read_reply(sock, deadline)
            if not reply:
                raise
            return reply.decode("ascii", "replace").strip()
        reply = _read_reply(sock, deadline)
    if not reply:
        raise ClamdUnavailable("no reply")
    return reply.decode("ascii", "replace").strip()


def verdict_of(reply: str) -> Verdict:
    """Turn clamd's reply line into a verdict."""
    if reply == "stream: OK":
        return Verdict(SCAN_CLEAN)
    found = _FOUND.match(reply)
    if found and not reply.endswith("ERROR"):
        signature = _PRINTABLE.sub("?", found["signature"])[:150]
        return Verdict(SCAN_QUARANTINED, MALWARE_FOUND + signature)
    return Verdict(SCAN_QUARANTINED, SCANNER_UNAVAILABLE)  # "... ERROR" or a reply we do not know


def scan(data: bytes) -> Verdict:
    """Scan an upload with the configured scanner (``JFS_MALWARE_SCANNER``)."""
    if not settings.JFS_MALWARE_SCANNER:
        return Verdict(SCAN_NOT_SCANNED)
    try:
        reply = instream(data, host=settings.JFS_CLAMD_HOST, port=settings.JFS_CLAMD_PORT,
                         socket_path=settings.JFS_CLAMD_SOCKET, timeout=settings.JFS_CLAMD_TIMEOUT)
    except (OSError, ClamdUnavailable) as exc:
        logger.warning("malware scan not possible: %s", type(exc).__name__)
        return Verdict(SCAN_QUARANTINED, SCANNER_UNAVAILABLE)
    verdict = verdict_of(reply)
    if verdict.reason == SCANNER_UNAVAILABLE:
        logger.warning("malware scanner answered with an error")
    elif verdict.status == SCAN_QUARANTINED:
        logger.warning("malware scanner found a signature; the upload is quarantined")
    return verdict
