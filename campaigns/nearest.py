"""The "did you mean" of a fixed set of names, fast enough to ask once per bad row.

The answer is exactly `difflib.get_close_matches(word, options, n=1, cutoff=0.6)`'s, so a
suggestion reads the same wherever it comes from; only the work differs. difflib scores
every option with `quick_ratio` (a Python loop over its characters) before its real ratio;
with ~600 time zones that is milliseconds a word, minutes for a large CRM export with one
misspelt zone in every row. Here the characters of every option are a bit mask made once,
so `quick_ratio` is one AND and a popcount, and the real ratio is computed only while an
option's upper bound can still beat (or tie) the best found so far.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher
from typing import Final

__all__ = ["CUTOFF", "Nearest"]

CUTOFF: Final = 0.6  # difflib's default, and campaigns/errors.py `closest`'s


class Nearest:
    """The closest of `options` to a word, or None when none is close enough."""

    def __init__(self, options: Iterable[str], cutoff: float = CUTOFF) -> None:
        self._options = tuple(options)
        self._cutoff = cutoff
        # Bit i stands for "the k-th occurrence of character c": a multiset as a number, so
        # the size of two multisets' intersection is the popcount of their AND.
        self._bits: dict[tuple[str, int], int] = {}
        self._masks = tuple(self._mask(option, grow=True) for option in self._options)
        self._longest = max((len(o) for o in self._options), default=0)

    def _mask(self, word: str, *, grow: bool) -> int:
        seen: dict[str, int] = {}
        mask = 0
        for char in word:
            k = seen.get(char, 0)
            seen[char] = k + 1
            bit = self._bits.get((char, k))
            if bit is None:
                if not grow:
                    continue  # no option has it: it cannot match
                bit = self._bits[(char, k)] = len(self._bits)
            mask |= 1 << bit
        return mask

    def __call__(self, word: str) -> str | None:
        cutoff = self._cutoff
        # difflib's real_quick_ratio bound, 2 * min / total, for the longest option: a word
        # this long is far from every option, and building its mask would cost its length.
        if not self._options or _ratio(self._longest, len(word) + self._longest) < cutoff:
            return None
        word_mask = self._mask(word, grow=False)
        bounded: list[tuple[float, str]] = []
        for option, mask in zip(self._options, self._masks, strict=True):
            total = len(word) + len(option)
            if _ratio(min(len(word), len(option)), total) < cutoff:
                continue
            quick = _ratio((word_mask & mask).bit_count(), total)  # difflib's quick_ratio
            if quick >= cutoff:
                bounded.append((quick, option))
        bounded.sort(reverse=True)
        matcher = SequenceMatcher()
        matcher.set_seq2(word)  # as get_close_matches does: the same junk heuristic, same ratio
        best: tuple[float, str] | None = None
        for quick, option in bounded:
            if best is not None and quick < best[0]:
                break  # the ratio never exceeds quick_ratio: no later option can reach the best
            matcher.set_seq1(option)
            score = matcher.ratio()
            if score >= cutoff and (best is None or (score, option) > best):
                best = (score, option)
        return None if best is None else best[1]


def _ratio(matches: int, total: int) -> float:
    # difflib's own formula, so scores compare equal to its scores.
    return 2.0 * matches / total if total else 1.0
