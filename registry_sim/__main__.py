"""Start the registry simulator: ``python -m registry_sim --port 8090 --data var/registry.sqlite3``.

Prints one line, ``registry simulator listening on http://HOST:PORT``, once it accepts
connections (``--port 0`` picks a free port), then serves until interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any

from registry_sim.server import Config, make_server
from registry_sim.store import Store


def main(argv: list[str] | None = None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m registry_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--data", default="var/registry.sqlite3", help="SQLite file made by registry_sim.build")
    parser.add_argument(
        "--allow-faults",
        action="store_true",
        help="honour X-Sim-Fault, fault rules and reserved citizen IDs (tests and demos)",
    )
    parser.add_argument("--consumer-key", default=env("SIM_CONSUMER_KEY", "jfs-local-consumer-key"))
    parser.add_argument("--consumer-secret", default=env("SIM_CONSUMER_SECRET", "jfs-local-consumer-secret"))
    parser.add_argument("--token-ttl", type=float, default=3600.0, help="idle seconds before a token expires")
    parser.add_argument("--fault-delay", type=float, default=30.0, help="how long the 'timeout' fault holds on")
    parser.add_argument("--slow-delay", type=float, default=1.0, help="how long the 'slow' fault waits")
    parser.add_argument("--verbose", action="store_true", help="log each request's path (never its query)")
    args = parser.parse_args(argv)

    store = Store(args.data)
    config = Config(
        consumer_key=args.consumer_key,
        consumer_secret=args.consumer_secret,
        token_ttl=args.token_ttl,
        allow_faults=args.allow_faults,
        fault_delay=args.fault_delay,
        slow_delay=args.slow_delay,
        verbose=args.verbose,
    )
    server = make_server(args.host, args.port, store, config)

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    host, port = str(server.server_address[0]), int(server.server_address[1])
    faults = " (faults allowed)" if args.allow_faults else ""
    print(f"registry simulator listening on http://{host}:{port}{faults}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
