"""signals/text.py: one line of plain text out of whatever markup a source sends."""

from __future__ import annotations

from signals.text import clip, plain_text


def test_inline_tags_vanish_and_block_tags_become_spaces() -> None:
    assert plain_text("<b>Slack</b>'s <p>first</p><p>second</p><br>third") == "Slack's first second third"


def test_entities_and_unicode_spaces_are_decoded_and_collapsed() -> None:
    assert plain_text("build trust.&#160;It&#8217;s &nbsp; a\ttrend\n") == "build trust. It’s a trend"
    assert plain_text("AT&amp;T &lt;3") == "AT&T <3"


def test_scripts_and_styles_are_dropped() -> None:
    assert plain_text("a<script>alert(1)</script><style>p{}</style> b") == "a b"


def test_truncated_html_does_not_crash() -> None:
    assert plain_text('<div><ul style="x"><li><p><span>Create test plans for Zoox’s') == (
        "Create test plans for Zoox’s"
    )


def test_c1_controls_are_read_as_cp1252_punctuation() -> None:
    assert plain_text("don\x92t \x93quote\x94 \x85") == "don’t “quote” …"


def test_empty_and_none() -> None:
    assert plain_text(None) == "" and plain_text("   ") == ""


def test_clip_cuts_at_a_word_and_marks_the_cut() -> None:
    assert clip("short", 10) == "short"
    assert clip("one two three four", 12) == "one two…"
    assert len(clip("x" * 50, 10)) == 10
