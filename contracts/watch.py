"""What a watch workflow and its activity exchange: one source per Schedule, one poll per run."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WatchInput:
    source_id: str  # a row of the store's watch_sources (`winback watch add`)


@dataclass(frozen=True)
class PollRequest:
    source_id: str


@dataclass(frozen=True)
class PollResult:
    source_id: str
    entries: int = 0  # entries (or job postings) read
    new_events: int = 0  # events not seen before, in this source or another
    not_modified: bool = False  # the server said 304: nothing to do
    started: int = 0
    disqualified: int = 0
    excluded: int = 0
    failures: list[str] = field(default_factory=list)  # "ACC-1: why", never an address
    error: str | None = None  # the source could not be read or parsed (one line)
