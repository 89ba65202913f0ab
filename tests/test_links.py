"""signals/links.py: Google's redirect links unwrapped to the article, nothing else touched."""

from __future__ import annotations

import pytest

from signals.links import real_url

ALERT = (
    "https://www.google.com/url?rct=j&sa=t&url=https://investorplace.com/2019/07/slack-stock-truly-compelling/"
    "&ct=ga&cd=CAIyHGU4ZTJkZjQ3OTVkYmIzMTc6Y28uanA6ZW46SlA&usg=AFQjCNEZXRySX8eW_IyksUe5d7lidLUXxg"
)


def test_a_google_alerts_link_resolves_to_the_article() -> None:
    assert real_url(ALERT) == "https://investorplace.com/2019/07/slack-stock-truly-compelling/"


def test_a_percent_encoded_target_is_decoded() -> None:
    link = "https://www.google.com/url?sa=t&url=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1%26c%3D2&ct=ga"
    assert real_url(link) == "https://example.com/a?b=1&c=2"


def test_the_q_parameter_of_a_search_redirect() -> None:
    assert real_url("https://www.google.com/url?q=http://example.org/news&sa=U") == "http://example.org/news"


def test_country_domains_are_google_too() -> None:
    assert real_url("https://www.google.co.uk/url?url=https://example.co.uk/x") == "https://example.co.uk/x"
    assert real_url("http://google.com.br/url?q=https://example.com.br/") == "https://example.com.br/"


@pytest.mark.parametrize(
    "url",
    [
        "https://techcrunch.com/2026/08/05/moove-raises-250m/",
        "https://www.google.com/search?q=https://example.com",  # not a redirect path
        "https://evilgoogle.com/url?url=https://example.com",  # not Google
        "https://google.evil.com/url?url=https://example.com",  # not Google either
        "https://www.google.com/url?url=javascript:alert(1)",  # only http(s) targets
        "https://www.google.com/url?url=file:///etc/passwd",
        "https://www.google.com/url?url=/relative/path",
        "https://www.google.com/url?rct=j&sa=t",  # no target at all
        "",
        "not a url",
    ],
)
def test_anything_else_is_unchanged(url: str) -> None:
    assert real_url(url) == url
