"""A small clamd stand-in for tests and local development (no ClamAV needed).

It speaks clamd's real wire format (``INSTREAM``, ``PING``, ``VERSION``; ``z`` commands ended
by ``\\0`` and ``n`` commands ended by ``\\n``, answered the same way) over TCP, and knows one
signature: the EICAR anti-virus test file, anywhere in the stream, is reported as
``stream: Eicar-Test-Signature FOUND``; everything else is ``stream: OK``. A stream over
``max_stream`` bytes is answered ``INSTREAM size limit exceeded. ERROR`` like clamd's
``StreamMaxLength``.

    python -m jfs.cases.clamd_sim --port 3310
    JFS_MALWARE_SCANNER=clamd JFS_CLAMD_PORT=3310 ./scripts/up.sh

In tests: ``server = start("127.0.0.1", 0)`` (a free port, served from a thread), then
``server.server_address[1]`` and ``server.shutdown(); server.server_close()``.
"""

from __future__ import annotations

import argparse
import socketserver
import struct
import threading
from typing import Any

#: the EICAR test file's 68 characters (https://www.eicar.org), split so this file is not flagged itself
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Eicar-Test-Signature"
DEFAULT_MAX_STREAM = 25 * 1024 * 1024  # clamd's default StreamMaxLength


class _Handler(socketserver.StreamRequestHandler):
    server: ClamdSim

    def _read_exact(self, n: int) -> bytes:
        data = self.rfile.read(n)
        if len(data) != n:
            raise ConnectionError("stream ended early")
        return data

    def _command(self) -> tuple[str, bytes]:
        first = self._read_exact(1)
        if first == b"z":
            end = b"\0"
        elif first == b"n":
            end = b"\n"
        else:
            return "", b"\n"
        name = b""
        while len(name) < 64:
            c = self._read_exact(1)
            if c == end:
                break
            name += c
        return name.decode("ascii", "replace"), end

    def handle(self) -> None:
        try:
            command, end = self._command()
        except ConnectionError:
            return
        if command == "PING":
            self.wfile.write(b"PONG" + end)
        elif command == "VERSION":
            self.wfile.write(b"ClamAV 1.4.0/jfs-clamd-sim" + end)
        elif command == "INSTREAM":
            self.wfile.write(self._instream().encode("ascii") + end)
        else:
            self.wfile.write(b"UNKNOWN COMMAND" + end)

    def _instream(self) -> str:
        received = bytearray()
        while True:
            try:
                (length,) = struct.unpack("!L", self._read_exact(4))
                if length == 0:
                    break
                if len(received) + length > self.server.max_stream:
                    return "INSTREAM size limit exceeded. ERROR"
                received += self._read_exact(length)
            except ConnectionError:
                return "INSTREAM: stream ended early. ERROR"
        self.server.scanned += 1
        return f"stream: {SIGNATURE} FOUND" if EICAR in received else "stream: OK"


class ClamdSim(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], max_stream: int = DEFAULT_MAX_STREAM):
        super().__init__(address, _Handler)
        self.max_stream = max_stream
        self.scanned = 0


def start(host: str = "127.0.0.1", port: int = 0, **options: Any) -> ClamdSim:
    """Serve from a background thread; ``port=0`` picks a free port."""
    server = ClamdSim((host, port), **options)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jfs.cases.clamd_sim", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3310)
    parser.add_argument("--max-stream", type=int, default=DEFAULT_MAX_STREAM)
    args = parser.parse_args(argv)
    server = ClamdSim((args.host, args.port), max_stream=args.max_stream)
    host, port = server.server_address[:2]
    print(f"clamd simulator listening on {host!s}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
