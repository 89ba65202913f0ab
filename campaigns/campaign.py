"""Campaign files: which playbook runs for which churn reason, when, to whom, and from whom.

Optional keys narrow and pace a campaign: `starts_on` (no sequence starts before it),
`audience` (churn reasons, tiers, countries, a churn-detail pattern, the months-since-churn
window, competitors with a live signal), `cool_off.declined_months` and `sender.daily_cap`.
campaigns.eligibility applies them. `triggers` say which signal starts which playbook for
which accounts (campaigns/triggers.py).

A playbook is named either by its name in campaigns/playbooks/ (`service`) or by a path
to a .yaml file relative to the campaign file (`playbooks/our-service.yaml`): a value
with a '/' or a .yaml/.yml suffix is a path, anything else a name.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from pathlib import Path
from typing import Final

from campaigns import templating
from campaigns.accounts import looks_like_email
from campaigns.audience import read_audience
from campaigns.contactability import DECLINED_MONTHS, DECLINED_MONTHS_RANGE, GHOSTED_MONTHS, CoolOff
from campaigns.errors import ConfigError, Problems, check_keys, choose_from, display_path, excerpt
from campaigns.model import (
    CHURN_REASONS,
    DEFAULT_DAILY_CAP,
    MAX_DAILY_CAP,
    Campaign,
    Offer,
    Playbook,
    Sender,
)
from campaigns.playbook import PLAYBOOK_DIR, load_playbook
from campaigns.schedule import read_schedule
from campaigns.triggers import read_triggers
from campaigns.values import date_value, text_value, whole
from campaigns.yamlfile import read_yaml_mapping

CAMPAIGN_ID_RE: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
PLAYBOOK_KEYS: Final = (*CHURN_REASONS, "default")
OFFER_KINDS: Final = ("discount", "pilot", "migration", "dedicated_csm")
MAX_OFFER_DAYS: Final = 365

_TOP_KEYS: Final = {
    "id": "id: spring-winback-2027",
    "name": "name: Spring win-back 2027",
    "playbooks": "playbooks: {product_gap: product_gap, default: time_based}",
    "sender": 'sender: {from: "Aino Virtanen <aino@winback.example>", postal_address: "..."}',
}
_OPTIONAL_TOP_KEYS: Final = ("starts_on", "audience", "schedule", "cool_off", "offer", "triggers")
_COOL_OFF_KEYS: Final = ("declined_months",)
_SENDER_KEYS: Final = {
    "from": 'from: "Aino Virtanen <aino@winback.example>"',
    "postal_address": 'postal_address: "Example street 1, 00100 Helsinki, Finland"',
}
_SENDER_OPTIONAL_KEYS: Final = ("daily_cap",)
_OFFER_KEYS: Final = {
    "kind": "kind: discount",
    "value": 'value: "20%"',
    "expires_in_days": "expires_in_days: 30",
}
# A display name and the longest address RFC 5321 allows (254) fit with room to spare.
_MAX_FROM_CHARS: Final = 400
_PERCENT_RE: Final = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def load_campaign(
    path: Path,
    *,
    playbook_dir: Path = PLAYBOOK_DIR,
    templates_root: Path = templating.ROOT,
) -> Campaign:
    """Read and validate a campaign and the playbooks it names; ConfigError lists every
    problem of the campaign and of those playbooks (theirs under their own file name)."""
    problems = Problems(display_path(path))
    data = read_yaml_mapping(path, problems)
    if data is None:
        raise ConfigError(problems.lines)
    top = dict(data)
    if "daily_cap" in top:
        # A natural place to look for it, but the cap belongs to the sender that sends.
        del top["daily_cap"]
        problems.add(
            "daily_cap",
            "belongs under sender (each sender starts at most this many sequences a day); "
            "move it there, e.g. sender: {..., daily_cap: 200}",
        )
    check_keys(problems, "", top, _TOP_KEYS, optional=_OPTIONAL_TOP_KEYS)

    campaign_id = None
    if "id" in data:
        campaign_id = text_value(problems, "id", data["id"], "id: spring-winback-2027")
        if campaign_id is not None and not CAMPAIGN_ID_RE.fullmatch(campaign_id):
            problems.add(
                "id",
                f"{excerpt(campaign_id)} is not a valid campaign id; use lower-case letters, digits "
                "and '-' (at most 63 characters, starting with a letter or digit), "
                "e.g. spring-winback-2027",
            )
            campaign_id = None
    name = None
    if "name" in data:
        name = text_value(problems, "name", data["name"], "name: Spring win-back 2027")

    playbooks = None
    if "playbooks" in data:
        playbooks = _playbooks(problems, data["playbooks"], path.parent, playbook_dir, templates_root)
    starts_on = (
        date_value(problems, "starts_on", data["starts_on"]) if data.get("starts_on") is not None else None
    )
    audience = read_audience(problems, data.get("audience"))
    schedule = read_schedule(problems, data.get("schedule"))
    cool_off = _cool_off(problems, data.get("cool_off"))
    sender = _sender(problems, data["sender"]) if "sender" in data else None
    raw_sender = data.get("sender")
    daily_cap = _daily_cap(problems, raw_sender) if isinstance(raw_sender, dict) else None
    offer = _offer(problems, data["offer"]) if data.get("offer") is not None else None
    triggers = (
        read_triggers(problems, data.get("triggers"), [pb for _, pb in playbooks])
        if playbooks is not None
        else None
    )

    problems.raise_if_any()
    assert campaign_id is not None and name is not None and playbooks is not None
    assert schedule is not None and sender is not None
    assert audience is not None and cool_off is not None and triggers is not None
    return Campaign(
        id=campaign_id,
        name=name,
        playbooks=playbooks,
        schedule=schedule,
        sender=sender,
        offer=offer,
        source=str(path),
        audience=audience,
        cool_off=cool_off,
        daily_cap=DEFAULT_DAILY_CAP if daily_cap is None else daily_cap,
        starts_on=starts_on.isoformat() if starts_on else None,
        triggers=triggers,
    )


def playbook_path(ref: str, campaign_dir: Path, playbook_dir: Path = PLAYBOOK_DIR) -> Path:
    """Where a campaign's playbook reference points (see the module docstring)."""
    if "/" in ref or "\\" in ref or ref.endswith((".yaml", ".yml")):
        return campaign_dir / ref
    return playbook_dir / f"{ref}.yaml"


def _playbooks(
    problems: Problems,
    raw: object,
    campaign_dir: Path,
    playbook_dir: Path,
    templates_root: Path,
) -> tuple[tuple[str, Playbook], ...] | None:
    if not isinstance(raw, dict) or not raw:
        problems.add(
            "playbooks",
            "must map churn reasons to playbooks, e.g. {product_gap: product_gap, default: time_based}",
        )
        return None
    # A playbook used for several reasons is loaded, and its problems reported, once.
    loaded: dict[Path, Playbook | None] = {}
    pairs: list[tuple[str, Playbook]] = []
    ok = True
    for key, value in raw.items():
        reason = str(key)
        field = f"playbooks.{reason}"
        if reason not in PLAYBOOK_KEYS:
            problems.add(
                "playbooks",
                f"unknown churn reason {excerpt(reason)}; {choose_from(reason, PLAYBOOK_KEYS)}",
            )
            ok = False
            continue
        if reason == "structural":
            problems.add(
                field,
                "structural churn (company closed, acquired onto another tool, team gone, "
                "built in-house) is never contacted; remove this line",
            )
            ok = False
            continue
        ref = text_value(problems, field, value, f"{reason}: {reason}")
        if ref is None:
            ok = False
            continue
        target = playbook_path(ref, campaign_dir, playbook_dir)
        try:
            key_path = target.resolve()
        except (OSError, ValueError):
            key_path = target  # not a path the system can have: _load_one says it is not found
        if key_path not in loaded:
            loaded[key_path] = _load_one(problems, field, ref, target, playbook_dir, templates_root)
        playbook = loaded[key_path]
        if playbook is None:
            ok = False
        else:
            pairs.append((reason, playbook))
    return tuple(pairs) if ok else None


def _load_one(
    problems: Problems,
    field: str,
    ref: str,
    target: Path,
    playbook_dir: Path,
    templates_root: Path,
) -> Playbook | None:
    try:
        found = target.is_file()
    except (OSError, ValueError):
        found = False  # e.g. a name longer than the file system allows: not there either way
    if not found:
        if target.parent == playbook_dir and not ref.endswith((".yaml", ".yml")):
            names = sorted(p.stem for p in playbook_dir.glob("*.yaml"))
            problems.add(
                field,
                f"no playbook named {excerpt(ref)} in {display_path(playbook_dir)}; "
                f"{choose_from(ref, names)} (or give a path to a .yaml file relative to "
                "this campaign)",
            )
        else:
            looked = excerpt(display_path(target), 120, quoted=False)
            problems.add(
                field,
                f"playbook file {excerpt(ref)} not found (looked for {looked}); "
                "give the path relative to this campaign file",
            )
        return None
    try:
        return load_playbook(target, templates_root=templates_root)
    except ConfigError as err:
        problems.extend(err.lines)
        return None


def _sender(problems: Problems, raw: object) -> Sender | None:
    if not isinstance(raw, dict):
        problems.add(
            "sender",
            'must be a block with from and postal_address, e.g. {from: "Aino Virtanen '
            '<aino@winback.example>", postal_address: "..."}',
        )
        return None
    before = len(problems.lines)
    check_keys(problems, "sender", raw, _SENDER_KEYS, optional=_SENDER_OPTIONAL_KEYS)
    from_name = from_email = ""
    if "from" in raw:
        text = str(raw["from"] or "").strip()
        # parseaddr recurses into nested comments: "((((..." long enough is a RecursionError.
        from_name, from_email = parseaddr(text) if len(text) <= _MAX_FROM_CHARS else ("", "")
        if not looks_like_email(from_email):
            problems.add(
                "sender.from",
                f"{excerpt(text)} is not a name and email address; write it as "
                '"Aino Virtanen <aino@winback.example>"',
            )
        elif "=?" in from_name:
            # Mail programs decode it (RFC 2047) into whatever it encodes, even a line break and
            # a header, so no email could be built from it.
            problems.add(
                "sender.from",
                "the name contains an encoded word (=?...?=); write the name as plain text, e.g. "
                '"Aino Virtanen <aino@winback.example>"',
            )
        elif not from_name.strip():
            problems.add(
                "sender.from",
                f"{excerpt(text)} has no name; people answer a person, so write it as "
                '"Aino Virtanen <aino@winback.example>"',
            )
    postal = None
    if "postal_address" in raw:
        # The law in most markets wants a real postal address in every marketing email.
        postal = text_value(
            problems,
            "sender.postal_address",
            raw["postal_address"],
            'postal_address: "Example street 1, 00100 Helsinki, Finland"',
        )
    if len(problems.lines) != before or postal is None:
        return None
    return Sender(from_email=from_email, from_name=from_name.strip(), postal_address=postal)


def _offer(problems: Problems, raw: object) -> Offer | None:
    if not isinstance(raw, dict):
        problems.add("offer", 'must be a block such as {kind: discount, value: "20%", expires_in_days: 30}')
        return None
    before = len(problems.lines)
    check_keys(problems, "offer", raw, _OFFER_KEYS)
    kind = None
    if "kind" in raw:
        kind = str(raw["kind"]).strip()
        if kind not in OFFER_KINDS:
            problems.add(
                "offer.kind", f"unknown offer kind {excerpt(kind)}; {choose_from(kind, OFFER_KINDS)}"
            )
    value = None
    if "value" in raw:
        value = text_value(problems, "offer.value", raw["value"], 'value: "20%"')
        if value is not None and kind == "discount":
            match = _PERCENT_RE.fullmatch(value)
            if not match or not 0 < float(match.group(1)) <= 100:
                problems.add(
                    "offer.value",
                    f'{excerpt(value)} is not a discount; write a percentage such as "20%"',
                )
    days = None
    if "expires_in_days" in raw:
        days = raw["expires_in_days"]
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_OFFER_DAYS:
            problems.add(
                "offer.expires_in_days",
                f"{excerpt(days)} is not a whole number of days from 1 to {MAX_OFFER_DAYS}; write how "
                "many days the offer stays open, e.g. 30",
            )
    if len(problems.lines) != before:
        return None
    assert kind is not None and value is not None and isinstance(days, int)
    return Offer(kind=kind, value=value, expires_in_days=days)


def _daily_cap(problems: Problems, raw: dict[object, object]) -> int | None:
    if "daily_cap" not in raw:
        return None
    value = whole(raw["daily_cap"])
    if value is None or not 1 <= value <= MAX_DAILY_CAP:
        problems.add(
            "sender.daily_cap",
            f"{excerpt(raw['daily_cap'])} is not a whole number from 1 to {MAX_DAILY_CAP}; write how many "
            f"sequences this sender may start per day, e.g. {DEFAULT_DAILY_CAP}",
        )
        return None
    return value


def _cool_off(problems: Problems, raw: object) -> CoolOff | None:
    if raw is None:
        return CoolOff()
    if not isinstance(raw, dict):
        problems.add("cool_off", f"must be a block such as {{declined_months: {DECLINED_MONTHS}}}")
        return None
    before = len(problems.lines)
    keys = dict(raw)
    if "ghosted_months" in keys:
        # Not a typo to guess at: the rest after ghosting is fixed by design.
        del keys["ghosted_months"]
        problems.add(
            "cool_off.ghosted_months",
            f"cannot be changed: a ghosted sequence always rests {GHOSTED_MONTHS} months before a retry; "
            "remove this line",
        )
    # Listed as known so a misspelt ghosted_months is guessed as itself, then explained.
    check_keys(problems, "cool_off", keys, {}, optional=(*_COOL_OFF_KEYS, "ghosted_months"))
    declined = DECLINED_MONTHS
    if "declined_months" in raw:
        value = whole(raw["declined_months"])
        low, high = DECLINED_MONTHS_RANGE
        if value is None or not low <= value <= high:
            problems.add(
                "cool_off.declined_months",
                f"{excerpt(raw['declined_months'])} is not a whole number from {low} to {high}; someone who "
                f"declined is not contacted for {low}-{high} months, e.g. {DECLINED_MONTHS}",
            )
        else:
            declined = value
    if len(problems.lines) != before:
        return None
    return CoolOff(declined_months=declined)
