"""Read-only access to the simulator's SQLite file; one connection per server thread."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(
                f"registry data file not found: {self.path} (build it with python -m registry_sim.build)"
            )
        self._local = threading.local()
        self.meta = dict(self._conn().execute("SELECT key, value FROM meta").fetchall())

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    def one(self, sql: str, *args: Any) -> dict[str, Any] | None:
        row = self._conn().execute(sql, args).fetchone()
        return dict(row) if row else None

    def all(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in self._conn().execute(sql, args).fetchall()]

    def count_people(self) -> int:
        row = self._conn().execute("SELECT COUNT(*) FROM person").fetchone()
        return int(row[0])

    # -- registries -------------------------------------------------------------------------

    def person(self, cid: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM person WHERE citizen_id = ?", cid)

    def address(self, cid: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM address WHERE citizen_id = ?", cid)

    def welfare_card(self, cid: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM welfare_card WHERE citizen_id = ?", cid)

    def household(self, cid: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM household WHERE citizen_id = ?", cid)

    def disability(self, cid: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM disability WHERE citizen_id = ?", cid)

    #: the justice records (DXC) by table, oldest first
    RECORD_ORDER = {"arrest": "arrested_on", "court_case": "filed_on", "detention": "since", "probation": "since"}

    def records(self, table: str, cid: str) -> list[dict[str, Any]]:
        order = self.RECORD_ORDER[table]  # also the allow-list of tables: no other name reaches the SQL
        return self.all(f"SELECT * FROM {table} WHERE citizen_id = ? ORDER BY {order}", cid)
