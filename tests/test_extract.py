"""Headlines become typed events with the right subject, and facts without personal names."""

from __future__ import annotations

import pytest

from signals.extract import events_of, job_events, money_of, release_event, role_of, round_of
from signals.records import EVENT_KINDS, Entry, Event, JobPosting


def one(title: str, summary: str = "") -> Event:
    events = events_of(Entry(source="feed", title=title, url="https://news.example/a", summary=summary))
    assert len(events) == 1, (title, events)
    return events[0]


def none(title: str) -> None:
    assert events_of(Entry(source="feed", title=title, url="https://news.example/a")) == []


@pytest.mark.parametrize(
    ("text", "money"),
    [
        ("$20M", ("20000000", "USD")),
        ("€1.5 million", ("1500000", "EUR")),
        ("£300k", ("300000", "GBP")),
        ("US$ 12 million", ("12000000", "USD")),
        ("SEK 50m", ("50000000", "SEK")),
        ("50 miljoner kronor", ("50000000", "SEK")),
        ("$1.2B", ("1200000000", "USD")),
        ("€40 Mio.", ("40000000", "EUR")),
        ("A$25m", ("25000000", "AUD")),
        ("¥2 billion", ("2000000000", "JPY")),
        ("10億円", ("1000000000", "JPY")),
        ("5000万元", ("50000000", "CNY")),
        ("18 millions d'euros", ("18000000", "EUR")),
        ("1,5 Mio. EUR", ("1500000", "EUR")),
        ("$1,500,000", ("1500000", "USD")),
    ],
)
def test_money(text: str, money: tuple[str, str]) -> None:
    assert money_of(f"Acme raises {text} for growth") == money


def test_a_bare_number_is_not_money() -> None:
    assert money_of("Acme hires 200 engineers in 2026") is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Series B", "Series B"),
        ("seed round", "Seed"),
        ("pre-seed", "Pre-seed"),
        ("Series A extension", "Series A extension"),
        ("growth round", "Growth round"),
        ("debt financing", "Debt"),
        ("シリーズB", "Series B"),
        ("B輪融資", "Series B"),
        ("a new office", ""),
    ],
)
def test_rounds(text: str, name: str) -> None:
    assert round_of(text) == name


@pytest.mark.parametrize(
    ("title", "company", "facts"),
    [
        (
            "Acme raises $20M Series B to expand into Europe",
            "Acme",
            {"round": "Series B", "amount": "20000000"},
        ),
        (
            "Exclusive: Finnish startup Revontuli Analytics secures €1.5 million seed round",
            "Revontuli Analytics",
            {"currency": "EUR", "round": "Seed"},
        ),
        ("Acme Raises $20 Million in Series B Funding - TechCrunch", "Acme", {"amount": "20000000"}),
        ("On Monday, Acme raised $5M in seed funding", "Acme", {"round": "Seed"}),
        ("Acme, the Helsinki-based analytics company, raises $12M", "Acme", {}),
        ("Fintech unicorn Brex lands $300M debt financing", "Brex", {"round": "Debt"}),
        ("Sequoia leads $30M Series B in Acme", "Acme", {"round": "Series B"}),
        ("Acme's $40M Series C led by Accel", "Acme", {"round": "Series C"}),
        ("Acme customers react as Globex raises $5M", "Globex", {}),
        ("株式会社さくらデータ、シリーズBで10億円を資金調達", "株式会社さくらデータ", {"currency": "JPY"}),
    ],
)
def test_funding(title: str, company: str, facts: dict[str, str]) -> None:
    event = one(title)
    assert (event.kind, event.company) == ("funding", company)
    assert facts.items() <= dict(event.facts).items()


@pytest.mark.parametrize(
    "title",
    [
        "Acme raises concerns over new EU rules",
        "Salesforce raises full-year revenue forecast",
        "Venture investment raises hopes for Acme and peers",
        "Acme publishes whitepaper on AI",
        "Box office records tumble as summer blockbusters soar",
        "Acme buys back $500M of shares",
        "Globex buys Acme stake",
        # Questions, rumours, denials and features: nothing happened (yet).
        "Will Acme raise $100M?",
        "Acme could raise $100M, sources say",
        "Acme in talks to raise $100M",
        "Globex walks away from deal to acquire Acme",
        "Acme denies it will be acquired by Globex",
        "How Acme raised $100M without a pitch deck",
    ],
)
def test_no_event(title: str) -> None:
    none(title)


def test_raises_prices_is_a_price_increase_not_funding() -> None:
    event = one("Acme raises prices by 20% for enterprise plans")
    assert (event.kind, event.company, event.fact("percent")) == ("price_increase", "Acme", "20")


@pytest.mark.parametrize(
    ("title", "target", "acquirer"),
    [
        ("Globex acquires Acme Robotics for $300M", "Acme Robotics", "Globex"),
        ("Globex to acquire Acme in $1B deal", "Acme", "Globex"),
        ("Acme Robotics to be acquired by Globex", "Acme Robotics", "Globex"),
        ("Acme acquired by Globex, will migrate customers to Globex platform", "Acme", "Globex"),
        ("Globex completes acquisition of Acme Corp.", "Acme Corp", "Globex"),
        ("Globex agrees to buy Acme Robotics for $2 billion", "Acme Robotics", "Globex"),
        ("Säkerhet AB acquires Norwegian rival Vaktbyrå AS", "Vaktbyrå AS", "Säkerhet AB"),
        ("楽天、株式会社さくらデータを買収", "株式会社さくらデータ", "楽天"),
        ("台北雲端被鴻海收購", "台北雲端", "鴻海"),
    ],
)
def test_acquisition_names_the_target(title: str, target: str, acquirer: str) -> None:
    event = one(title)
    assert (event.kind, event.company) == ("acquisition", target)
    assert (event.fact("acquirer"), event.fact("target"), event.fact("out_of_reach")) == (
        acquirer,
        target,
        "acquired",
    )


@pytest.mark.parametrize(
    ("title", "company", "role", "change"),
    [
        ("Acme names Jane Doe as new CEO", "Acme", "CEO", "appointed"),
        ("Acme CEO John Smith steps down", "Acme", "CEO", "departs"),
        ("Acme co-founder and CEO Jane Doe steps down", "Acme", "CEO", "departs"),
        ("Former Acme exec joins Globex as CEO", "Globex", "CEO", "appointed"),
        ("Jane Doe named CFO of Acme Robotics", "Acme Robotics", "CFO", "appointed"),
        ("Acme appoints new VP Sales", "Acme", "VP Sales", "appointed"),
        (
            "Acme Corp names former Oracle executive as chief financial officer",
            "Acme Corp",
            "CFO",
            "appointed",
        ),
        ("Nordlicht Maschinenbau ernennt neuen CEO", "Nordlicht Maschinenbau", "CEO", "appointed"),
        ("Acme Robotics loses CFO to Globex", "Acme Robotics", "CFO", "departs"),
    ],
)
def test_executive_change_keeps_no_personal_names(title: str, company: str, role: str, change: str) -> None:
    event = one(title)
    assert (event.kind, event.company) == ("executive_change", company)
    assert dict(event.facts) == {"role": role, "change": change}


@pytest.mark.parametrize(
    ("title", "kind", "facts"),
    [
        ("Acme lays off 200 employees", "layoffs", {"count": "200"}),
        ("Acme to cut 10% of workforce", "layoffs", {"percent": "10"}),
        ("Layoffs at Acme hit 300", "layoffs", {}),
        ("Acme suffers major outage", "outage", {}),
        ("Acme is down for thousands of users", "outage", {}),
        ("Service disruption at Acme", "outage", {}),
        ("Acme opens new office in Berlin", "expansion", {"market": "Berlin"}),
        ("Acme expands to Japan", "expansion", {"market": "Japan"}),
        ("Acme shuts down", "strategy_change", {"out_of_reach": "shut_down"}),
        ("Acme files for Chapter 11 bankruptcy", "strategy_change", {"out_of_reach": "shut_down"}),
        ("Acme sunsets its legacy analytics product", "strategy_change", {"change": "sunset"}),
    ],
)
def test_other_kinds(title: str, kind: str, facts: dict[str, str]) -> None:
    event = one(title)
    assert (event.kind, event.company) == (kind, "Acme")
    assert facts.items() <= dict(event.facts).items()


def test_event_carries_story_and_context() -> None:
    entry = Entry(source="feed", title="Acme raises $5M", url="https://acme.io/news", summary="acme.io says")
    [event] = events_of(entry)
    assert event.story == entry.content_hash
    assert event.context == "Acme raises $5M acme.io says"
    assert event.url == "https://acme.io/news"


def test_role_of() -> None:
    assert role_of("Vice President of Sales") == "VP Sales"
    assert role_of("new Head of Engineering") == "Head of Engineering"
    assert role_of("chief executive") == "CEO"
    assert role_of("a new intern") == ""


def posting(title: str, department: str = "", description: str = "") -> JobPosting:
    return JobPosting(board="greenhouse", company="Acme", title=title, url=f"https://jobs.example/{title}",
                      department=department, description=description)  # fmt: skip


def test_job_events() -> None:
    postings = [
        posting("Backend Engineer", "Engineering", "You will migrate us off Brightloop."),
        posting("Frontend Engineer", "Engineering"),
        posting("VP Sales", "Sales", "Own our CRM migration."),
        posting("Account Executive", "Sales"),
        posting("Office Manager"),
    ]
    events = job_events(
        postings,
        company="Acme",
        previous_open=3,
        url="https://jobs.example/acme",
        category_terms=("CRM migration",),
        competitors=("Brightloop",),
    )
    hiring, lead = events
    assert hiring.kind == "hiring" and hiring.company == "Acme"
    assert dict(hiring.facts) == {
        "open_roles": "5",
        "by_department": "Engineering=2;Other=1;Sales=2",
        "growth": "2",
        "mentions": "Brightloop;CRM migration",
    }
    assert lead.kind == "leadership_hire"
    assert dict(lead.facts) == {"role": "VP Sales", "department": "Sales", "mentions": "CRM migration"}
    assert all(e.kind in EVENT_KINDS for e in events)


def test_job_events_without_postings_or_history() -> None:
    assert job_events([], company="Acme", previous_open=4, url="u") == []
    [hiring] = job_events([posting("Engineer")], company="Acme", previous_open=None, url="u")
    assert "growth" not in dict(hiring.facts)


def test_release_event() -> None:
    event = release_event(
        "Salesforce sync is here", addresses="product_gap", detail="salesforce", url="https://x"
    )
    assert (event.kind, event.company) == ("release", "")
    assert dict(event.facts) == {"addresses": "product_gap", "detail": "salesforce"}
    assert event.story
