"""The API's money operations (issue 11), a router on the main API (``jfs.api.api``)."""

from __future__ import annotations

from ninja import Router

router = Router()
