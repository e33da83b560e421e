"""Start the message gateways' simulator:
``python -m gateway_sim --http-port 8092 --smtp-port 8025 --data DIR``.

Prints one line, ``gateway simulator listening on http://HOST:PORT and smtp://HOST:PORT``, once
both accept connections (``--http-port 0`` / ``--smtp-port 0`` pick free ports), then serves
until interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from typing import Any

from gateway_sim.http import Config, Simulator, make_server
from gateway_sim.smtp import start as start_smtp
from gateway_sim.store import Faults, Recorder


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m gateway_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http-port", type=int, default=8092)
    parser.add_argument("--smtp-port", type=int, default=8025)
    parser.add_argument("--data", default="var/gateway_sim", help="directory for messages.jsonl")
    parser.add_argument("--sms-key", default=env("SIM_SMS_KEY", "jfs-sms-key"))
    parser.add_argument("--sms-secret", default=env("SIM_SMS_SECRET", "jfs-sms-secret"))
    parser.add_argument("--line-token", default=env("SIM_LINE_TOKEN", "jfs-line-channel-token"))
    parser.add_argument("--verbose", action="store_true", help="log each request's path")
    args = parser.parse_args(argv)

    recorder, faults = Recorder(args.data), Faults()
    sim = Simulator(recorder, faults, Config(args.sms_key, args.sms_secret, args.line_token, args.verbose))
    server = make_server(args.host, args.http_port, sim)
    smtp_port = args.smtp_port or _free_port(args.host)
    controller = start_smtp(args.host, smtp_port, recorder, faults)

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    host, port = str(server.server_address[0]), int(server.server_address[1])
    print(f"gateway simulator listening on http://{host}:{port} and smtp://{host}:{smtp_port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
