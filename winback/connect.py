"""Connecting to Temporal through the SDK's environment configuration.

TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings and profiles in
temporal.toml all work as the SDK documents, so Temporal Cloud needs no code change. Every client
encrypts what it sends with the codec of winback/encryption.py, and so does every worker built on
one (a Worker takes its client's data converter).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from temporalio.client import Client
from temporalio.envconfig import ClientConfig
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    PrometheusConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)

from winback import encryption
from winback import settings as settings_mod

DEFAULT_ADDRESS = "localhost:7233"


def connect_config() -> dict[str, Any]:
    config: dict[str, Any] = dict(ClientConfig.load_client_connect_config())
    config.setdefault("target_host", DEFAULT_ADDRESS)
    return config


async def connect(settings: settings_mod.Settings | None = None) -> Client:
    """A client with the codec of the settings' keys (loaded first: bad keys raise SettingsError
    before anything connects)."""
    converter = encryption.converter_for(settings or settings_mod.load())
    return await Client.connect(**connect_config(), data_converter=converter)


def address() -> str:
    return str(connect_config()["target_host"])


def configure_runtime(core_level: str = "WARN") -> None:
    """Send the SDK core's log lines through Python logging, to stderr.

    By default core prints to stdout, which would corrupt `--json` output that scripts read.
    With WINBACK_METRICS_ADDRESS (host:port) the SDK's Prometheus metrics are served there:
    workflow and activity task counts and latencies of a worker.
    """
    metrics_address = os.environ.get("WINBACK_METRICS_ADDRESS", "").strip()
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    Runtime.set_default(
        Runtime(
            telemetry=TelemetryConfig(
                logging=LoggingConfig(
                    filter=TelemetryFilter(core_level=core_level, other_level="ERROR"),
                    forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
                ),
                metrics=PrometheusConfig(bind_address=metrics_address) if metrics_address else None,
            )
        ),
        error_if_already_set=False,
    )
