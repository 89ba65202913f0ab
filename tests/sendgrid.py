"""SendGrid's Signed Event Webhook for the tests: a key pair made here, the real vector, fixtures.

The fixtures are real payloads from SendGrid's docs and SDK, read where they live (see
../shared/fixtures/sendgrid_events/PROVENANCE.md beside this repository), never copied in.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from inbound.sendgrid_events import SIGNATURE_HEADER, TIMESTAMP_HEADER

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO.parent / "shared" / "fixtures" / "sendgrid_events"
VECTOR: dict[str, Any] = json.loads((FIXTURES / "signature_test_vector.json").read_text())
VECTOR_BODY = (FIXTURES / VECTOR["payload_file"]).read_bytes()
# The vector was signed in September 2020: tests that verify it put the clock just after.
VECTOR_NOW = datetime.fromtimestamp(int(VECTOR["timestamp"]) + 30, UTC)


def vector_headers(**changes: str) -> dict[str, str]:
    headers = {SIGNATURE_HEADER: VECTOR["signature_b64"], TIMESTAMP_HEADER: VECTOR["timestamp"]}
    return headers | changes


class Signer:
    """What SendGrid does with its private key, with one of our own."""

    def __init__(self, curve: ec.EllipticCurve | None = None) -> None:
        self.private_key = ec.generate_private_key(curve or ec.SECP256R1())
        der = self.private_key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        self.public_key = base64.b64encode(der).decode()

    def signature(self, body: bytes, timestamp: str) -> str:
        signed = self.private_key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return base64.b64encode(signed).decode()

    def headers(self, body: bytes, at: datetime) -> dict[str, str]:
        timestamp = str(int(at.timestamp()))
        return {SIGNATURE_HEADER: self.signature(body, timestamp), TIMESTAMP_HEADER: timestamp}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def edge_cases() -> dict[str, Any]:
    """label -> payload, as SendGrid's docs show each (an array, or a bare object)."""
    cases: dict[str, Any] = json.loads((FIXTURES / "sendgrid_docs_edge_case_payloads.json").read_text())
    return {label: payload for label, payload in cases.items() if not label.startswith("_")}


def batch(*events: dict[str, Any]) -> bytes:
    """A body as SendGrid posts it: a JSON array and a trailing CRLF."""
    return json.dumps(list(events)).encode() + b"\r\n"
