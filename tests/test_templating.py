"""Finding and rendering message templates: locale fallback, strict and sandboxed rendering, subjects."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import TemplateNotFound, UndefinedError
from jinja2.exceptions import SecurityError

from campaigns import templating


def template_root(tmp_path: Path, files: dict[str, str]) -> Path:
    """A templates folder of its own, so a test controls exactly which translations exist."""
    root = tmp_path / "templates"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# --- locale fallback -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "chain"),
    [
        ("pt-BR", ["pt-BR", "pt", "en"]),
        ("pt_BR", ["pt-BR", "pt", "en"]),  # the spelling a CRM export often uses
        ("zh-Hant-TW", ["zh-Hant-TW", "zh-Hant", "zh", "en"]),
        ("fi", ["fi", "en"]),
        ("en", ["en"]),
        ("en-GB", ["en-GB", "en"]),
        ("", ["en"]),
    ],
)
def test_a_locale_falls_back_to_its_language_then_english(locale: str, chain: list[str]) -> None:
    assert templating.locale_chain(locale) == chain


def test_the_most_specific_translation_that_exists_serves(tmp_path: Path) -> None:
    root = template_root(
        tmp_path,
        {
            "en/pb/hello.j2": "Subject: Hello\n\nHello {{ name }}\n",
            "pt/pb/hello.j2": "Subject: Olá\n\nOlá {{ name }}\n",
            "pt-BR/pb/other.j2": "Subject: Oi\n\nOi\n",
        },
    )
    assert templating.resolve("pb/hello", "pt-BR", root) == "pt/pb/hello.j2"
    assert templating.resolve("pb/other", "pt-BR", root) == "pt-BR/pb/other.j2"
    assert templating.resolve("pb/hello", "pt-PT", root) == "pt/pb/hello.j2"

    out = templating.render("pb/hello", "pt-BR", {"name": "Ana"}, root)
    assert (out.subject, out.body, out.template_path) == ("Olá", "Olá Ana\n", "pt/pb/hello.j2")


def test_a_locale_without_any_translation_gets_english(tmp_path: Path) -> None:
    root = template_root(tmp_path, {"en/pb/hello.j2": "Subject: Hello\n\nHello\n"})
    assert templating.resolve("pb/hello", "fi", root) == "en/pb/hello.j2"
    assert templating.exists("pb/hello", "ja-JP", root)
    assert templating.render("pb/hello", "fi", {}, root).template_path == "en/pb/hello.j2"


def test_a_template_missing_in_english_too_is_not_found_and_says_where_it_looked(tmp_path: Path) -> None:
    root = template_root(tmp_path, {"pt/pb/only_pt.j2": "Olá\n"})
    assert templating.resolve("pb/only_pt", "fi", root) is None
    assert not templating.exists("pb/nothing", "pt-BR", root)
    with pytest.raises(TemplateNotFound, match=r"pb/nothing \(locale pt-BR, looked in pt-BR, pt, en\)"):
        templating.render("pb/nothing", "pt-BR", {}, root)


def test_shipped_templates_resolve_to_english_for_an_untranslated_locale() -> None:
    assert templating.resolve("product_gap/01_whats_new", "ko-KR") == "en/product_gap/01_whats_new.j2"
    # pt-BR is translated: a Brazilian contact reads Brazilian Portuguese.
    assert templating.resolve("product_gap/01_whats_new", "pt-BR") == "pt-BR/product_gap/01_whats_new.j2"


# --- strict, sandboxed rendering -----------------------------------------------------------


def test_a_variable_the_context_lacks_fails_the_render(tmp_path: Path) -> None:
    root = template_root(tmp_path, {"en/t.j2": "Subject: Hi\n\nDear {{ contact.first_name }},\n"})
    with pytest.raises(UndefinedError, match="contact"):
        templating.render("t", "en", {}, root)


def test_an_attribute_of_a_missing_person_fails_rather_than_rendering_blank(tmp_path: Path) -> None:
    root = template_root(tmp_path, {"en/t.j2": "Dear {{ executive.first_name }},\n"})
    with pytest.raises(UndefinedError):
        templating.render("t", "en", {"executive": {"name": "Alex"}}, root)


@pytest.mark.parametrize(
    "expression",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ account.__init__.__globals__ }}",
        "{{ account.items.__self__.__class__ }}",
    ],
)
def test_the_sandbox_refuses_attribute_tricks(tmp_path: Path, expression: str) -> None:
    root = template_root(tmp_path, {"en/t.j2": f"{expression}\n"})
    with pytest.raises(SecurityError):
        templating.render("t", "en", {"account": {"company": "Example Oy"}}, root)


def test_a_template_cannot_change_the_context_it_is_given(tmp_path: Path) -> None:
    root = template_root(tmp_path, {"en/t.j2": "{{ account.update({'company': 'x'}) }}\n"})
    account = {"company": "Example Oy"}
    with pytest.raises(SecurityError):
        templating.render("t", "en", {"account": account}, root)
    assert account == {"company": "Example Oy"}


def test_text_is_not_html_escaped(tmp_path: Path) -> None:
    root = template_root(tmp_path, {"en/t.j2": "Subject: {{ s }}\n\n{{ s }}\n"})
    out = templating.render("t", "en", {"s": "Q&A <today>"}, root)
    assert (out.subject, out.body) == ("Q&A <today>", "Q&A <today>\n")


def test_indented_block_tags_leave_no_blank_lines(tmp_path: Path) -> None:
    root = template_root(
        tmp_path,
        {"en/t.j2": "Hi\n    {% if offer %}\nOffer: {{ offer }}\n    {% endif %}\nBye\n"},
    )
    assert templating.render("t", "en", {"offer": "20%"}, root).body == "Hi\nOffer: 20%\nBye\n"
    assert templating.render("t", "en", {"offer": None}, root).body == "Hi\nBye\n"


# --- subject line --------------------------------------------------------------------------


def test_the_first_line_is_the_subject_and_the_blank_lines_after_it_go(tmp_path: Path) -> None:
    root = template_root(
        tmp_path, {"en/t.j2": "Subject:   What changed, {{ name }}  \n\n\nHi {{ name }},\nBye\n"}
    )
    out = templating.render("t", "en", {"name": "Aino"}, root)
    assert out.subject == "What changed, Aino"
    assert out.body == "Hi Aino,\nBye\n"


def test_leading_blank_lines_before_the_subject_are_ignored(tmp_path: Path) -> None:
    root = template_root(tmp_path, {"en/t.j2": "\n\nSubject: Hello\n\nBody\n"})
    out = templating.render("t", "en", {}, root)
    assert (out.subject, out.body) == ("Hello", "Body\n")


def test_a_task_text_without_a_subject_keeps_every_line(tmp_path: Path) -> None:
    root = template_root(tmp_path, {"en/t.j2": "Call script\n\nSubject: is a word here, not a header\n"})
    out = templating.render("t", "en", {}, root)
    assert out.subject == ""
    assert out.body == "Call script\n\nSubject: is a word here, not a header\n"


def test_the_body_ends_with_exactly_one_newline(tmp_path: Path) -> None:
    root = template_root(tmp_path, {"en/a.j2": "Subject: A\n\nBody", "en/b.j2": "Subject: B\n\nBody\n\n\n"})
    assert templating.render("a", "en", {}, root).body == "Body\n"
    assert templating.render("b", "en", {}, root).body == "Body\n"


def test_the_sample_context_renders_a_shipped_email_with_a_subject() -> None:
    out = templating.render("product_gap/01_whats_new", "en", templating.sample_context())
    assert out.subject
    assert not out.body.startswith("Subject:")
    assert out.template_path == "en/product_gap/01_whats_new.j2"
