"""signals/feeds.py on real-world feeds (shared fixtures; see each folder's PROVENANCE.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from signals.feeds import FeedResult, parse_feed
from signals.records import Entry
from tests.conftest import SHARED

FIXTURES = SHARED / "fixtures"
FEED_FILES = sorted(
    path
    for folder in ("news_feeds", "funding_feeds", "google_alerts")
    for path in (FIXTURES / folder).iterdir()
    if path.name != "PROVENANCE.md"
)


def parsed(folder: str, name: str, base_url: str = "") -> FeedResult:
    path = FIXTURES / folder / name
    return parse_feed(path.read_bytes(), str(path), base_url=base_url)


def by_title(result: FeedResult, start: str) -> Entry:
    (entry,) = [e for e in result.entries if e.title.startswith(start)]
    return entry


@pytest.mark.parametrize("path", FEED_FILES, ids=lambda path: path.name)
def test_every_fixture_parses_into_clean_entries(path: Path) -> None:
    result = parse_feed(path.read_bytes(), str(path))
    assert result.problem is None
    for entry in result.entries:
        assert entry.source == str(path)
        assert entry.title or entry.url
        assert entry.title == " ".join(entry.title.split())  # one line, no stray whitespace
        assert "<" not in entry.title or ">" not in entry.title
        assert entry.url == "" or entry.url.startswith(("http://", "https://"))
        assert "google.com/url" not in entry.url
        assert len(entry.summary) <= 2000
        assert entry.summary == " ".join(entry.summary.split())
        assert entry.published is None or entry.published.endswith("+00:00")


def test_techcrunch_feedburner_links_resolve_to_the_orig_link() -> None:
    result = parsed("funding_feeds", "feedjira_TechCrunch_2011_feedburner.xml")
    assert len(result.entries) == 20  # despite the blank line before <?xml?> (bozo)
    agari = by_title(result, "Email Security Startup Agari Raises $2.5M")
    assert (
        agari.title
        == "Email Security Startup Agari Raises $2.5M From Alloy, Battery, Greylock And First Round"
    )
    assert agari.url == (
        "http://techcrunch.com/2011/11/02/"
        "email-security-startup-agari-raises-2-5m-from-alloy-battery-greylock-and-first-round/"
    )
    assert agari.published == "2011-11-02T15:00:18+00:00"
    assert agari.summary.startswith(
        "Stealthy email security startup Agari has raised $2.5 million in Series A"
    )
    assert not any("feedproxy.google.com" in e.url for e in result.entries)
    angie = result.entries[0]
    assert angie.title == "Angie’s List Sets Price Range IPO At $11 To $13 Per Share; Valued At Over $600M"
    assert angie.url.endswith("/angies-list-prices-ipo-at-11-to-13-per-share-valued-at-over-600m/")
    assert (
        by_title(result, "Gilt City").title
        == "Gilt City, A Subsidiary Of Gilt Groupe, Officially Acquires BuyWithMe"
    )


def test_techcrunch_2026_entities_in_titles_and_cdata_summaries_are_decoded() -> None:
    result = parsed("funding_feeds", "techcrunch_2026_real_items_wrapped.xml")
    assert [e.title for e in result.entries] == [
        "Moove raises $250M to become the backbone of the robotaxi industry",
        "Travis Kalanick’s robotics company raises $1.7B, led by a16z",
        "Lightspeed is building its edge on followers, not just funds",
    ]
    video = result.entries[2]
    assert (
        video.url
        == "https://techcrunch.com/video/why-lightspeed-is-going-all-in-on-creator-led-venture-capital/"
    )
    assert video.summary.startswith(
        "Venture firms are turning to creators to build trust. It’s a trend that’s"
    )
    assert "&#" not in video.summary
    assert [e.published for e in result.entries] == [
        "2026-08-05T20:50:45+00:00",
        "2026-07-22T18:50:44+00:00",
        "2026-08-05T20:48:54+00:00",
    ]


def test_techcrunch_2024_channel_without_declaration_and_leading_whitespace() -> None:
    (entry,) = parsed("funding_feeds", "techcrunch_2024_single_item_channel.xml").entries
    assert entry.title == "What is wearable neurotech and why might we need it?"
    assert (
        entry.url == "https://techcrunch.com/2024/10/12/what-is-wearable-neurotech-and-why-might-we-need-it/"
    )
    assert entry.published == "2024-10-12T12:00:00+00:00"  # the item's date, not the channel's
    assert entry.summary.endswith("© 2024 TechCrunch. All rights reserved. For personal use only.")


def test_google_alerts_links_resolve_to_the_article_and_highlighting_is_stripped() -> None:
    result = parsed("google_alerts", "feedjira_google_alerts_atom_slack_2019.xml")
    assert len(result.entries) == 20
    stock = result.entries[1]
    assert stock.title == "Slack Stock Has a Compelling Story and the Numbers to Back It Up"
    assert stock.url == "https://investorplace.com/2019/07/slack-stock-truly-compelling/"
    assert stock.published == "2019-07-10T11:46:48+00:00"
    # The double-escaped &amp;#39; and &amp;nbsp; of the snippet come out as text.
    assert stock.summary == (
        "In the run up to the IPO for Slack Technologies Inc (NYSE:WORK), much of the news coverage "
        "centered on the Company's decision to go public via ..."
    )
    assert all("google.com" not in e.url for e in result.entries)
    assert all("<b>" not in e.title and "&nbsp;" not in e.summary for e in result.entries)


def test_google_alerts_in_spanish_with_numeric_entities_in_an_html_title() -> None:
    result = parsed("google_alerts", "google_alerts_es_inauguracion_de_arte_2026_trimmed.xml")
    assert [e.title for e in result.entries] == [
        "Exposición “Estación Umbría” lleva el bosque milenario de La Araucanía hasta la UCT",
        "ArtePuerto 2026 reúne a 34 artistas en exposición gratuita en Valparaíso - El Martutino",
    ]
    assert result.entries[0].url == (
        "https://www.uct.cl/actualidad/noticias/exposicion-estacion-umbria-lleva-el-bosque-milenario-de-la-araucania-hasta-la-uct/"
    )
    assert result.entries[1].summary.startswith("La inauguración reunió a gran parte de los artistas")


def test_relative_links_are_made_absolute_against_xml_base() -> None:
    (entry,) = parsed("news_feeds", "feedparser_xml_base_relative_links.xml").entries
    assert entry.title == "First entry title"
    assert entry.url == "http://example.org/archives/000001.html"
    assert entry.published == "2004-04-20T00:23:47+00:00"  # issued, not modified
    assert entry.summary == "skip to anchor 2 Some content This is anchor 2"


def test_relative_links_resolve_against_the_url_the_feed_came_from() -> None:
    body = b'<rss version="2.0"><channel><item><title>T</title><link>posts/1</link></item></channel></rss>'
    result = parse_feed(body, "feeds.yaml#blog", base_url="https://blog.example.com/feed/")
    assert result.entries[0].url == "https://blog.example.com/feed/posts/1"


def test_relative_links_resolve_against_the_channel_link_when_the_url_is_unknown() -> None:
    body = (
        b'<rss version="2.0"><channel><link>https://blog.example.com/</link>'
        b"<item><title>T</title><link>/2026/11/launch</link></item></channel></rss>"
    )
    assert parse_feed(body, "local.xml").entries[0].url == "https://blog.example.com/2026/11/launch"


def test_a_relative_link_with_no_base_is_no_url() -> None:
    body = b'<rss version="2.0"><channel><item><title>T</title><link>posts/1</link></item></channel></rss>'
    (entry,) = parse_feed(body, "local.xml").entries
    assert (entry.title, entry.url) == ("T", "")


def test_latin1_without_declaration_still_gives_its_entries_decoded() -> None:
    result = parsed("news_feeds", "rssparser_uolNoticias_latin1_ptdates.rss")  # bozo: declared utf-8
    assert len(result.entries) == 15
    assert (
        result.entries[0].title
        == "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"
    )
    assert result.entries[2].title == (
        "Apucarana garante continuidade do Pré Aprendiz; ano vai fechar com 13 mil pessoas qualificadas"
    )  # its no-break space is an ordinary one
    assert result.entries[0].summary.startswith("Líder na pesquisa Ibope")  # the <img> is gone
    # Portuguese day and month names ("Seg, 24 Set 2018") are unreadable: no date, no crash.
    assert {e.published for e in result.entries} == {None}
    # The same story twice under two links: one content hash.
    twice = Counter(e.content_hash for e in result.entries)
    assert max(twice.values()) == 2


def test_iso_8859_1_with_crlf_and_feedburner_links() -> None:
    result = parsed("news_feeds", "rssparser_jn_iso8859-1_crlf.rss")
    assert len(result.entries) == 40
    first = result.entries[0]
    assert first.title == "Mãe de utente é a nova presidente da Raríssimas"
    assert (
        first.url
        == "https://www.jn.pt/nacional/interior/sonia-laig-e-a-nova-presidente-da-rarissimas-9021600.html"
    )
    assert first.published == "2018-01-03T13:47:00+00:00"
    assert not any("feeds.jn.pt/~r/" in e.url for e in result.entries)


def test_cdata_wrapped_in_newlines_and_indentation_is_trimmed() -> None:
    result = parsed("news_feeds", "feedjira_HuffPostCanada_cdata_whitespace.xml")
    assert [e.title for e in result.entries] == [
        "Winnipeg High School Orders Custom Hijabs For Muslim Athletes",
        "The Once-In-A-Lifetime Thrill Of Opening For Tom Petty",
    ]
    assert result.entries[0].summary.startswith(
        "Winnipeg high school student Nusaybah Mohamed's basketball uniform"
    )
    assert result.entries[0].published == "2017-10-17T22:17:00+00:00"
    assert max(len(e.summary) for e in result.entries) <= 2000


def test_an_atom_feed_wrapped_in_xhtml_is_parsed() -> None:
    result = parsed("news_feeds", "feedjira_atom_wrapped_in_xhtml.xml")
    assert len(result.entries) == 10
    first = result.entries[0]
    assert first.title == "Down time"
    assert first.url == "http://www.tablix.org/~avian/blog/archives/2014/07/down_time/"
    assert first.published == "2014-07-21T19:14:39+00:00"  # +02:00 converted to UTC
    assert (
        first.summary
        == "Two switches in two cities seemingly failed because of a transient on the power grid."
    )
    assert by_title(result, "Remembrance").summary.endswith("hydroelectric plant Završnica.")


def test_an_epoch_dc_date_and_a_truncated_file() -> None:
    result = parsed("news_feeds", "feedjira_InvalidDateFormat_epoch.xml")  # no </rss>: bozo
    assert [(e.title, e.url, e.published) for e in result.entries] == [
        ("Item 0 with an invalid date", "http://example.com/item0", "2017-10-16T15:10:00+00:00"),
        ("Item 1 with all valid dates", "http://example.com/item1", "2017-10-17T12:17:00+00:00"),
    ]


def test_a_guid_is_the_url_only_when_it_is_a_permalink() -> None:
    result = parsed("news_feeds", "feedjira_Permalinks_guid.xml")
    assert [(e.title, e.url) for e in result.entries] == [
        ("Item 1", ""),  # isPermaLink="false"
        ("Item 2", "http://example.com/2"),
        ("Item 3", "http://example.com/3"),  # a guid is a permalink unless it says not
        ("Item 4", "http://example.com/4"),  # <link> wins over <guid>
    ]
    assert {e.published for e in result.entries} == {None}


def test_rss_092_with_a_two_digit_channel_year_and_dateless_items() -> None:
    result = parsed("news_feeds", "rssparser_rss092_2digit_year.rss")
    assert [(e.title, e.url, e.summary, e.published) for e in result.entries] == [
        ("The First Item", "http://www.oreilly.com/example/001.html", "This is the first item.", None),
        ("The Second Item", "http://www.oreilly.com/example/002.html", "This is the second item.", None),
    ]


def test_an_entry_with_neither_title_nor_url_is_skipped() -> None:
    # Atom with only <id> (a tag: URI, not a link): nothing to show, nothing to match.
    assert parsed("news_feeds", "rssparser_missing_fields.atom") == FeedResult((), None)
    # An item with only a description (cp1252 smart quote): skipped too, not a crash.
    assert parsed("news_feeds", "feedparser_demoronize_cp1252.xml") == FeedResult((), None)


def test_cp1252_smart_quotes_given_as_latin1_code_points_are_repaired() -> None:
    body = (FIXTURES / "news_feeds" / "feedparser_demoronize_cp1252.xml").read_bytes()
    # The fixture's description, given a title: the U+0092 it holds is a cp1252 apostrophe.
    body = body.replace(b"<item>", b"<item><title>don\xc2\x92t stop</title>")
    (entry,) = parse_feed(body, "demoronize").entries
    assert entry.title == "don’t stop"
    assert entry.summary == "don’t"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "the body is empty"),
        (b"  \n", "the body is empty"),
        (b'{"jobs": [{"title": "Engineer"}]}', "not well-formed"),
        (
            b"<!doctype html><html><head><title>Careers</title></head><body><p>Hi</p></body></html>",
            "syntax error",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ""),
    ],
)
def test_a_body_that_is_not_a_feed_is_a_one_line_problem(body: bytes, reason: str) -> None:
    result = parse_feed(body, "https://example.com/")
    assert result.entries == ()
    assert result.problem is not None
    assert result.problem.startswith("not an RSS or Atom feed: ")
    assert reason in result.problem
    assert "\n" not in result.problem


def test_a_body_naming_a_local_file_is_never_opened(tmp_path: Path) -> None:
    # feedparser opens a str or bytes that names a file; a server could answer with a path.
    local = tmp_path / "feed.xml"
    local.write_bytes(b'<rss version="2.0"><channel><item><title>SECRET</title></item></channel></rss>')
    result = parse_feed(str(local).encode(), "https://evil.example.com/feed")
    assert result.entries == ()
    assert result.problem is not None


def test_a_valid_feed_with_no_items_is_no_problem() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert parse_feed(body, "quiet") == FeedResult((), None)


def test_dates_before_1990_are_dropped_and_leap_seconds_kept() -> None:
    body = (
        b'<rss version="2.0"><channel>'
        b"<item><title>Old</title><pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate></item>"
        b"<item><title>Leap</title><pubDate>Sat, 31 Dec 2016 23:59:60 GMT</pubDate></item>"
        b"<item><title>Future</title><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>"
        b"</channel></rss>"
    )
    published = {e.title: e.published for e in parse_feed(body, "dates").entries}
    assert published["Old"] is None
    assert published["Leap"] in {"2016-12-31T23:59:59+00:00", "2017-01-01T00:00:00+00:00", None}
    assert published["Future"] == "2100-01-01T00:00:00+00:00"


def test_a_long_summary_is_cut_to_2000_characters_at_a_word() -> None:
    words = " ".join(["funding"] * 600)
    body = (
        f'<rss version="2.0"><channel><item><title>Long</title><description>{words}</description>'
        "</item></channel></rss>"
    ).encode()
    (entry,) = parse_feed(body, "long").entries
    assert len(entry.summary) <= 2000
    assert entry.summary.endswith("funding…")
