"""The registry simulator: GDX-style government registries over synthetic data, for offline work.

A standalone HTTP service (standard library only, no Django) that speaks the wire format of
the Government Data Exchange (GDX, api.egov.go.th): a token from ``/ws/auth/validate``, then
``Consumer-Key`` + ``Token`` headers on every data call, JSON answers. It serves the
population registry (DOPA), the state welfare card, the MSO vulnerable-household logbook,
disability registration and the Justice Data Exchange Center (DXC) from a SQLite file that
``python -m registry_sim.build`` generates from a seed (and from the registry seed file JFS
writes, ``manage.py export_registry_seed``, so the registries agree with the demo applicants;
it never reads JFS's database).

Run: ``python -m registry_sim --port 8090 --data var/registry.sqlite3 [--allow-faults]``.
See docs/data-exchange.md.
"""
