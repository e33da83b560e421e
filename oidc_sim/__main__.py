"""Start the digital-ID simulator: ``python -m oidc_sim --port 8091 --people var/oidc_people.json``.

Prints one line, ``digital-ID simulator listening on http://HOST:PORT``, once it accepts
connections (``--port 0`` picks a free port), then serves until interrupted. The registered
client comes from the options or the environment (``OIDC_SIM_CLIENT_ID``,
``OIDC_SIM_CLIENT_SECRET``, ``OIDC_SIM_REDIRECT_URIS`` comma-separated). Every person's
password is ``--password`` (default ``demo-password-2569``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Any

from joserfc.jwk import RSAKey

from oidc_sim.people import load
from oidc_sim.server import Config, make_server

DEFAULT_REDIRECTS = (
    "http://127.0.0.1:8000/sign-in/digital-id/callback/,http://localhost:8000/sign-in/digital-id/callback/"
)


def main(argv: list[str] | None = None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m oidc_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--issuer", default="", help="the issuer URL (default http://HOST:PORT)")
    parser.add_argument("--people", default="", help="an oidc-sim-people JSON file (default: the demo citizen only)")
    parser.add_argument("--client-id", default=env("OIDC_SIM_CLIENT_ID", "jfs-portal"))
    parser.add_argument("--client-secret", default=env("OIDC_SIM_CLIENT_SECRET", "jfs-local-oidc-secret"))
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        help="a registered redirect URI (repeat; a loopback one matches any port)",
    )
    parser.add_argument("--password", default=env("OIDC_SIM_PASSWORD", "demo-password-2569"))
    parser.add_argument("--key", default="", help="a PEM RSA private key to sign with (default: a new key)")
    parser.add_argument("--id-token-ttl", type=int, default=3600, help="seconds an ID token is valid")
    parser.add_argument("--allow-faults", action="store_true", help="honour /__sim/faults (tests only)")
    parser.add_argument("--verbose", action="store_true", help="log each request's path (never its query)")
    args = parser.parse_args(argv)

    redirects = args.redirect_uri or [u for u in env("OIDC_SIM_REDIRECT_URIS", DEFAULT_REDIRECTS).split(",") if u]
    key = RSAKey.import_key(Path(args.key).read_bytes()) if args.key else None
    config = Config(
        issuer=args.issuer.rstrip("/"),
        client_id=args.client_id,
        client_secret=args.client_secret,
        redirect_uris=redirects,
        password=args.password,
        allow_faults=args.allow_faults,
        id_token_ttl=args.id_token_ttl,
        verbose=args.verbose,
    )
    people = load(args.people or None)
    server = make_server(args.host, args.port, config, people, key)

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    faults = " (faults allowed)" if args.allow_faults else ""
    print(f"digital-ID simulator listening on {config.issuer}{faults}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
