"""signals/jobs.py on real board responses and career pages (shared fixtures/job_posts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signals.jobs import BOARDS, JobsResult, iso_utc, parse_jobs
from signals.records import JobPosting
from tests.conftest import SHARED

JOB_POSTS = SHARED / "fixtures" / "job_posts"
ABC_DESCRIPTION = (
    "Description: ABC Company Inc. seeks a full-time mid-level software engineer to develop in-house tools."
)
JOB_FILES = sorted(path for path in JOB_POSTS.iterdir() if path.name != "PROVENANCE.md")


def parsed(name: str, *, source: str = "", company: str = "") -> JobsResult:
    path = JOB_POSTS / name
    return parse_jobs(path.read_bytes(), source or str(path), company=company)


def only(result: JobsResult) -> JobPosting:
    assert result.problem is None
    (posting,) = result.postings
    return posting


@pytest.mark.parametrize("path", JOB_FILES, ids=lambda path: path.name)
def test_every_fixture_gives_postings(path: Path) -> None:
    result = parse_jobs(path.read_bytes(), str(path))
    assert result.problem is None
    assert result.board in BOARDS
    assert result.postings
    for posting in result.postings:
        assert posting.board == result.board
        assert posting.title == " ".join(posting.title.split()) != ""
        assert posting.url == "" or posting.url.startswith(("http://", "https://"))
        assert len(posting.description) <= 2000
        assert "<" not in posting.description and "&lt;" not in posting.description
        assert posting.posted is None or posting.posted.endswith("+00:00")


def test_greenhouse_list_jobs() -> None:
    result = parsed("greenhouse_docs_list_jobs.json", company="Vault-Tec")
    assert result.board == "greenhouse"
    assert only(result) == JobPosting(
        board="greenhouse",
        company="Vault-Tec",  # the list API does not name the company
        title="Vault Designer",
        url="https://boards.greenhouse.io/vaulttec/jobs/127817",
        department="",
        location="NYC",
        posted="2016-01-14T15:55:28+00:00",  # -05:00 in UTC
        description="",
    )


def test_greenhouse_double_escaped_content_and_departments() -> None:
    posting = only(parsed("greenhouse_docs_list_jobs_content_true.json"))
    assert posting.department == "Department of Departments"
    assert posting.description == (
        "This is the job description. Any HTML included through the hosted job application editor "
        "will be automatically converted into corresponding HTML entities."
    )


def test_greenhouse_single_job_on_a_custom_domain() -> None:
    result = parsed("greenhouse_docs_retrieve_job_questions.json")
    posting = only(result)
    assert result.board == "greenhouse"
    assert (posting.title, posting.url) == ("Product Engineer", "http://your.co/careers?gh_jid=444444")
    assert posting.location == "San Francisco, CA"
    assert posting.posted == "2013-07-02T19:39:23+00:00"
    assert posting.description.startswith("This is the job description. Any HTML included")


def test_greenhouse_real_escaped_and_truncated_content() -> None:
    posting = only(parsed("greenhouse_real_trimmed_gitlab_2026.json", company="ignored"))
    assert posting.company == "GitLab"  # company_name wins over the argument
    assert posting.title == "AI Engineer"
    assert posting.url == "https://job-boards.greenhouse.io/gitlab/jobs/8556658002"
    assert posting.location == "Remote, Bangalore"
    assert posting.posted == "2026-05-22T13:16:29+00:00"  # first_published, -04:00
    assert posting.description.startswith("GitLab is the intelligent orchestration platform for DevSecOps.")
    assert posting.description.endswith("trust GitLab to ship better, more secure software faster.")


def test_lever_bare_array() -> None:
    result = parsed("lever_real_trimmed_zoox_2026.json", company="Zoox")
    assert result.board == "lever"
    assert only(result) == JobPosting(
        board="lever",
        company="Zoox",
        title="Autonomy System Test Engineer",
        url="https://jobs.lever.co/zoox/f4746da4-8eb8-43e2-b7ce-bf3c7cf9640d",
        department="Software Platforms and Product",  # categories.team
        location="Foster City, CA",
        posted=None,  # no createdAt in this trimmed response
        description=(
            "Autonomous vehicles have some of the largest, most complex software ever shipped in a "
            "safety-critical environment."
        ),
    )


def test_lever_created_at_in_milliseconds_department_and_lists() -> None:
    job = {
        "text": "VP of Sales",
        "hostedUrl": "https://jobs.lever.co/acme/1",
        "categories": {"department": "Sales", "location": "Berlin"},
        "createdAt": 1764489600000,
        "lists": [{"text": "You will: ", "content": "<ul><li>Own the number</li>"}],
    }
    posting = only(parse_jobs(json.dumps([job]).encode(), "acme.json"))
    assert posting.department == "Sales"
    assert posting.posted == "2025-11-30T08:00:00+00:00"
    assert posting.description == "You will: Own the number"


def test_ashby_board_skips_unlisted_roles() -> None:
    result = parsed("ashby_real_trimmed_board_2026_plus_unlisted.json", company="Ashby")
    assert result.board == "ashby"
    assert [p.title for p in result.postings] == ["Engineering Manager - EU"]  # not "Hidden Role"
    posting = result.postings[0]
    assert posting.url == "https://jobs.ashbyhq.com/ashby/7458d4e9-da2e-47bd-98cb-adfda43d42b2"
    assert posting.location == "Remote - European Union"
    assert posting.company == "Ashby"
    assert posting.description.startswith("How do you feel about software engineers writing product specs")


def test_ashby_single_job_with_milliseconds_and_emoji() -> None:
    result = parsed("ashby_posting_api_real_job_ashby_board_2025.json")
    posting = only(result)
    assert result.board == "ashby"
    assert posting.title == "Senior Software Engineer - Product"
    assert posting.url == "https://jobs.ashbyhq.com/Ashby/88b63239-c9ca-4e21-92f3-09b1dcfce175"
    assert (posting.department, posting.location) == ("Engineering", "UK")
    assert posting.posted == "2025-06-06T18:36:29+00:00"
    assert posting.description.startswith("Hi 👋🏾 I'm Abhik")
    assert 1900 < len(posting.description) <= 2000 and posting.description.endswith("abstractions and…")


def test_ashby_team_when_there_is_no_department() -> None:
    body = {
        "apiVersion": "1",
        "jobs": [{"title": "SRE", "jobUrl": "https://jobs.ashbyhq.com/x/1", "team": "Infra"}],
    }
    assert only(parse_jobs(json.dumps(body).encode(), "x")).department == "Infra"


def test_jsonld_career_page() -> None:
    result = parsed(
        "schemaorg_eg0028_jobposting_jsonld.html", source="https://abc.example/jobs/42", company="ABC"
    )
    assert result.board == "jsonld"
    assert only(result) == JobPosting(
        board="jsonld",
        company="ABC",  # no hiringOrganization: the argument
        title="Software Engineer",
        url="https://abc.example/jobs/42",  # no url in the markup: the page's own
        department="15-1132.00 Software Developers, Application",
        location="Kirkland, WA",
        posted="2011-10-31T00:00:00+00:00",  # a date alone: midnight UTC
        description=ABC_DESCRIPTION,
    )


def test_jsonld_page_read_from_a_file_has_no_url() -> None:
    assert only(parsed("schemaorg_eg0028_jobposting_jsonld.html")).url == ""


def test_microdata_when_there_is_no_jsonld() -> None:
    result = parsed("schemaorg_eg0028_jobposting_microdata_only.html", source="https://abc.example/jobs/42")
    assert result.board == "microdata"
    assert only(result) == JobPosting(
        board="microdata",
        company="ABC Company Inc.",  # the nested Organization's name, not the sentence around it
        title="Software Engineer",
        url="https://abc.example/jobs/42",
        department="15-1132.00 Software Developers, Application",
        location="Kirkland, WA",
        posted="2011-10-31T00:00:00+00:00",
        description=ABC_DESCRIPTION,
    )


def page(*blocks: object, extra: str = "") -> bytes:
    scripts = "".join(
        f'<script type="application/ld+json">{b if isinstance(b, str) else json.dumps(b)}</script>'
        for b in blocks
    )
    return f"<!doctype html><html><head>{scripts}</head><body>{extra}</body></html>".encode()


def test_jsonld_graph_lists_nesting_and_organization_objects() -> None:
    body = page(
        {"@context": "https://schema.org", "@type": "Organization", "name": "Not a job"},
        "{not json at all",
        {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "WebPage",
                    "mainEntity": {"@type": "JobPosting", "title": "Head of Sales", "url": "/jobs/1"},
                },
                {
                    "@type": ["JobPosting"],
                    "title": "Data &amp; ML Lead",
                    "hiringOrganization": {"@type": "Organization", "name": "Initech"},
                    "jobLocationType": "TELECOMMUTE",
                    "datePosted": "2026-11-02T09:30:00+01:00",
                    "occupationalCategory": ["Engineering"],
                    "description": "&lt;p&gt;Lead the &lt;b&gt;data&lt;/b&gt; team&lt;/p&gt;",
                    "url": "javascript:alert(1)",
                },
            ],
        },
    )
    result = parse_jobs(body, "https://careers.initech.example/open", company="Initech Inc")
    assert result.board == "jsonld" and result.problem is None
    first, second = result.postings
    assert (first.title, first.url, first.company) == (
        "Head of Sales",
        "https://careers.initech.example/jobs/1",
        "Initech Inc",
    )
    assert (second.title, second.company, second.location) == ("Data & ML Lead", "Initech", "Remote")
    assert second.url == "https://careers.initech.example/open"  # a javascript: URL is no URL
    assert second.posted == "2026-11-02T08:30:00+00:00"
    assert second.department == "Engineering"
    assert second.description == "Lead the data team"


def test_jsonld_with_no_job_posting_falls_back_to_microdata() -> None:
    extra = '<div itemscope itemtype="http://schema.org/JobPosting"><h1 itemprop="title">Nurse</h1></div>'
    body = page({"@context": "https://schema.org", "@type": "Organization", "name": "Clinic"}, extra=extra)
    result = parse_jobs(body, "clinic.html")
    assert result.board == "microdata"
    assert [p.title for p in result.postings] == ["Nurse"]


def test_a_posting_without_a_title_is_skipped() -> None:
    body = json.dumps(
        {"jobs": [{"absolute_url": "https://x.example/1"}, {"title": "Ok", "absolute_url": ""}]}
    )
    result = parse_jobs(body.encode(), "gh.json")
    assert [(p.title, p.url) for p in result.postings] == [("Ok", "")]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "not a job board: the body is empty"),
        (b'{"data": {"positions": []}}', "not a job board: JSON with no Greenhouse, Lever or Ashby jobs"),
        (b"[1, 2, 3]", "not a job board: JSON with no Greenhouse, Lever or Ashby jobs"),
        (b'{"jobs": [', "not a job board: invalid JSON"),
        (b"<html><body><h1>Careers</h1><p>No openings</p></body></html>", "no job postings found"),
        (page("{broken"), "1 JSON-LD block(s) not valid JSON"),
        (page({"@context": "https://schema.org", "@type": "Event"}), "no job postings found"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "no job postings found"),
    ],
)
def test_a_body_with_no_postings_is_a_one_line_problem(body: bytes, problem: str) -> None:
    result = parse_jobs(body, "https://example.com/careers")
    assert result.postings == ()
    assert result.board == ""
    assert result.problem is not None and problem in result.problem
    assert "\n" not in result.problem


def test_an_empty_board_is_no_problem() -> None:
    assert parse_jobs(b'{"jobs": [], "meta": {"total": 0}}', "gh") == JobsResult((), "greenhouse")
    assert parse_jobs(b"[]", "lever") == JobsResult((), "lever")
    assert parse_jobs(b'{"apiVersion": "1", "jobs": []}', "ashby") == JobsResult((), "ashby")


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2016-01-14T10:55:28-05:00", "2016-01-14T15:55:28+00:00"),
        ("2013-07-02T19:39:23Z", "2013-07-02T19:39:23+00:00"),
        ("2025-06-06T18:36:29.484+00:00", "2025-06-06T18:36:29+00:00"),
        ("2011-10-31", "2011-10-31T00:00:00+00:00"),
        ("2026-11-30T08:00:00", "2026-11-30T08:00:00+00:00"),
        (1764489600000, "2025-11-30T08:00:00+00:00"),
        (1764489600, "2025-11-30T08:00:00+00:00"),
        ("1764489600000", "2025-11-30T08:00:00+00:00"),
        ("last Tuesday", None),
        ("", None),
        (None, None),
        (True, None),
        (10**30, None),
    ],
)
def test_iso_utc(value: object, iso: str | None) -> None:
    assert iso_utc(value) == iso


def test_jsonld_as_a_top_level_list_with_a_string_organization() -> None:
    body = page(
        [
            {"@context": "https://schema.org", "@type": "BreadcrumbList"},
            {
                "@context": "https://schema.org",
                "@type": "http://schema.org/JobPosting",
                "title": "Chief Revenue Officer",
                "hiringOrganization": "Globex",
                "url": "https://globex.example/jobs/cro",
                "jobLocation": [
                    {"@type": "Place", "address": {"addressLocality": "Paris", "addressCountry": "FR"}},
                    {"@type": "Place", "address": "Lyon"},
                ],
                "datePosted": "2026-11-20",
            },
        ]
    )
    posting = only(parse_jobs(body, "globex.html"))
    assert (posting.company, posting.title, posting.url) == (
        "Globex",
        "Chief Revenue Officer",
        "https://globex.example/jobs/cro",
    )
    assert posting.location == "Paris, FR; Lyon"
    assert posting.posted == "2026-11-20T00:00:00+00:00"
