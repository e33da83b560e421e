"""The SMTP side of the simulator (aiosmtpd): accepts mail like a relay, records each message
(from, to, subject, plain-text body, Message-ID), and answers with SMTP errors when a fault is on:
down -> 421 (service not available), 500 -> 451 (local error), 429 -> 452 (too many, try later)."""

from __future__ import annotations

import email
import email.policy
from typing import Any

from aiosmtpd.controller import Controller

from gateway_sim.store import Faults, Recorder

FAULT_REPLIES = {
    "down": "421 4.3.0 Service not available, closing transmission channel",
    "500": "451 4.3.0 Local error in processing",
    "429": "452 4.5.3 Too many messages; try again later",
}


class Handler:
    def __init__(self, recorder: Recorder, faults: Faults) -> None:
        self.recorder = recorder
        self.faults = faults

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]) -> str:  # noqa: N802 - aiosmtpd's name
        fault = self.faults.take("smtp")
        if fault:
            return FAULT_REPLIES[fault]
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content or b""
        msg = email.message_from_bytes(raw if isinstance(raw, bytes) else raw.encode(), policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",)) if hasattr(msg, "get_body") else None
        text = part.get_content() if part is not None else ""
        self.recorder.add(
            "smtp",
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "subject": str(msg.get("Subject", "")).strip(),
                "text": text,
                "message_id": str(msg.get("Message-ID", "")),
            },  # fmt: skip
        )
        return "250 Message accepted for delivery"


def start(host: str, port: int, recorder: Recorder, faults: Faults) -> Controller:
    controller = Controller(Handler(recorder, faults), hostname=host, port=port)
    controller.start()
    return controller
