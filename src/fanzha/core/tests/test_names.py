"""Search keys of Chinese names (fanzha.core.names)."""

from __future__ import annotations

import pytest

from fanzha.core.names import is_initials, name_keys, split_name


@pytest.mark.parametrize(("name", "keys"), [
    ("王建国", ("建国", "wjg")),
    ("李", ("", "l")),
    ("欧阳修", ("修", "oyx")),
    ("诸葛亮", ("亮", "zgl")),
    ("单雄信", ("雄信", "sxx")),  # the surname 单 reads shàn
    ("曾国藩", ("国藩", "zgf")),  # 曾 zēng, not céng
    ("尉迟恭", ("恭", "ycg")),
    ("阿不都·热合曼", ("热合曼", "abdrhm")),
    (" 王 建国 ", ("建国", "wjg")),
    ("Tom Lee", ("", "tomlee")),
    ("", ("", "")),
])
def test_name_keys(name, keys):
    """Given name after the surname (compound surnames whole), initials by the surname's own reading."""
    assert name_keys(name) == keys


def test_split_two_character_name_with_compound_surname_text():
    """A two-character name is a surname and a given name even when the pair is a compound surname."""
    assert split_name("欧阳") == ("欧", "阳")


@pytest.mark.parametrize(("text", "expected"), [("wjg", True), ("WJ", True), ("王", False), ("w1", False), ("", False)])
def test_is_initials(text, expected):
    """Only Latin letters are a search by initials."""
    assert is_initials(text) is expected


def test_initials_table_agrees_with_the_letter_of_each_character():
    """The translation table behind the initials gives, character by character, what `_initial` gives:
    table characters, Latin letters, digits and signs outside the table, 〇, and characters beyond U+9FFF."""
    from fanzha.core.names import _initial

    for name in ("王a1〇明", "张Ｂ·乐", "㐀鿿\U00020000李", "李X-y"):
        surname, given = split_name(name)
        expected = "".join(_initial(c) for c in surname + given)
        assert name_keys(name)[1] == expected
