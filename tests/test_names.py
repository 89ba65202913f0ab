"""Company names fold to one key whatever their case, accents, punctuation and legal form."""

from __future__ import annotations

import pytest

from signals.names import fold, is_common_word, normalise, script_of


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Revontuli Analytics Oy", "revontuli analytics"),
        ("REVONTULI ANALYTICS", "revontuli analytics"),
        ("Révontuli Analytics, Inc.", "revontuli analytics"),
        ("Nordlicht Maschinenbau GmbH & Co. KG", "nordlicht maschinenbau"),
        ("Säkerhet AB", "sakerhet"),
        ("Sakerhet AB (publ)", "sakerhet"),
        ("Ørsted A/S", "orsted"),
        ("Acme L.L.C.", "acme"),
        ("Acme Co., Ltd.", "acme"),
        ("Foo S.A. de C.V.", "foo"),
        ("Bar Sdn. Bhd.", "bar"),
        ("Baz Pte. Ltd.", "baz"),
        ("Qux Pty Ltd", "qux"),
        ("Sakura Logistics K.K.", "sakura logistics"),
        ("Procter & Gamble Co.", "procter and gamble"),
        ("Monday.com Ltd", "monday com"),
        ("Ｔｏｋｙｏ　Ｗｏｒｋｓ", "tokyo works"),  # full-width, as Japanese feeds write it
        ("株式会社さくらデータ", "さくらデータ"),
        ("さくらデータ株式会社", "さくらデータ"),
        ("(株)さくらデータ", "さくらデータ"),
        ("台北雲端股份有限公司", "台北雲端"),
        ("深圳星河有限公司", "深圳星河"),
        ("PT Bank Mandiri Tbk", "bank mandiri"),
    ],
)
def test_normalise_folds_case_accents_and_legal_forms(raw: str, key: str) -> None:
    assert normalise(raw) == key


def test_a_name_that_is_only_a_legal_form_is_kept() -> None:
    assert normalise("AB") == "ab"
    assert normalise("Company Inc") == "company"
    assert normalise("株式会社") == "株式会社"


def test_legal_forms_inside_a_name_stay() -> None:
    assert normalise("Inc Magazine Ventures") == "inc magazine ventures"
    assert normalise("The Co Op Bank") == "the co op bank"


def test_japanese_voicing_marks_are_not_accents() -> None:
    assert normalise("ガジェット") == "ガジェット"
    assert fold("Café Über") == "cafe uber"


def test_fold_keeps_legal_forms_and_word_positions() -> None:
    assert fold("Acme's CEO steps down — Acme Corp.") == "acme ceo steps down acme corp"


@pytest.mark.parametrize(
    "name", ["box", "notion", "monday", "slack", "square", "apple", "zoom", "loom", "ramp", "hp"]
)
def test_ordinary_words_are_weak_names(name: str) -> None:
    assert is_common_word(name)


@pytest.mark.parametrize(
    "name", ["asana", "brex", "revontuli analytics", "notion labs", "さくらデータ", "acme"]
)
def test_distinctive_names_are_strong(name: str) -> None:
    assert not is_common_word(name)


def test_script_of() -> None:
    assert script_of("Acme Corp") == "latin"
    assert script_of("株式会社さくらデータ") == "cjk"
    assert script_of("Sakura データ") == "cjk"
    assert script_of("Яндекс") == "other"
    assert script_of("123") == ""
