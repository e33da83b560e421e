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

    def arrests(self, cid: str) -> list[dict[str, Any]]:
        return self.all("SELECT * FROM arrest WHERE citizen_id = ? ORDER BY arrested_on", cid)

    def court_cases(self, cid: str) -> list[dict[str, Any]]:
        return self.all("SELECT * FROM court_case WHERE citizen_id = ? ORDER BY filed_on", cid)

    def detentions(self, cid: str) -> list[dict[str, Any]]:
        return self.all("SELECT * FROM detention WHERE citizen_id = ? ORDER BY since", cid)

    def probations(self, cid: str) -> list[dict[str, Any]]:
        return self.all("SELECT * FROM probation WHERE citizen_id = ? ORDER BY since", cid)
