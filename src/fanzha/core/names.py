"""Search keys of Chinese personal names: given name and pinyin initials.

A name search over a county's half a million residents cannot use an index
for `name LIKE '%x%'`, so the search matches what people actually type, each
as a prefix that an ordinary b-tree index answers on SQLite and PostgreSQL:

- the name from its start (the surname, or surname and given name): 王, 王建;
- the given name from its start (the part after the surname, compound
  surnames such as 欧阳 and 司马 taken whole): 建国 finds 王建国;
- the pinyin initials from their start, typed in Latin letters: wjg, wj.

The keys are columns of the resident row, computed from the name by
`name_keys` wherever a name is written (the model's save and the bulk
insert engine, `fanzha.core.bulk.insert_rows`).

The initials come from a table of the first letter of the commonest reading
of each character in U+3400–U+9FFF (`fanzha.core.pinyin_initials`, 27 KB,
generated from pypinyin's data by `python -m fanzha.core.names --table`); a
surname's own reading overrides it (单 shàn, 曾 zēng, 解 xiè, ...).
"""

from __future__ import annotations

import functools
import sys
import unicodedata

from django.db import models
from django.db.models import Q

from fanzha.core.pinyin_initials import FIRST, INITIALS

# Two-character surnames (复姓) the given name starts after.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门 万俟 "
    "闻人 澹台 申屠 太叔 百里 呼延 第五 公羊 赫连 淳于 单于 濮阳 司空 公冶 仲孙 乐正 壤驷 拓跋 左丘 东郭 谷梁 "
    "羊舌 梁丘 漆雕 巫马 亓官 子车 颛孙 司寇 宗政".split()
)

# Where a surname is read otherwise than the character's commonest reading.
SURNAME_INITIALS = {
    "单": "s", "曾": "z", "解": "x", "查": "z", "仇": "q", "区": "o", "朴": "p", "覃": "q", "翟": "z",
    "秘": "b", "种": "c", "折": "s", "召": "s", "隗": "w", "重": "c", "粘": "n", "繁": "p", "蕃": "p",
    "藏": "z", "尉迟": "yc", "万俟": "mq", "长孙": "zs", "单于": "cy",
}

# Separators in transliterated names (阿不都·热合曼): the part after one is also a given name.
NAME_DOTS = "·•‧・."

KEY_LENGTH = 50  # the key columns' max_length (the name's)


def _initial(ch: str) -> str:
    code = ord(ch)
    if FIRST <= code < FIRST + len(INITIALS):
        letter = INITIALS[code - FIRST]
        return "" if letter == "_" else letter
    if ch.isascii() and ch.isalpha():
        return ch.lower()
    return {"〇": "l"}.get(ch, "")


class _Initials(dict):
    """Code point -> its initial ("" for none), filled as characters are met: the table
    `str.translate` reads, so a name's initials are one C call instead of one Python call
    per character."""

    def __missing__(self, code: int) -> str:
        self[code] = letter = _initial(chr(code))
        return letter


_INITIALS = _Initials()
_FIRST_CHAR = chr(FIRST)


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a Chinese name; a transliterated name splits at its dot."""
    if not name or max(name) < _FIRST_CHAR:  # a name in Latin letters: no surname to split off
        return "".join(name.split()), ""
    name = "".join(name.split())
    for dot in NAME_DOTS:
        if dot in name:
            head, _, rest = name.partition(dot)
            return head, rest
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


@functools.lru_cache(maxsize=65536)  # given_key and initials_key of one name, one after the other, work it out once
def name_keys(name: str) -> tuple[str, str]:
    """(given name, pinyin initials) of a name: the resident row's search keys."""
    surname, given = split_name(name or "")
    if not surname:
        return "", ""
    initials = SURNAME_INITIALS.get(surname) or surname.translate(_INITIALS)
    initials += given.translate(_INITIALS)
    return given[:KEY_LENGTH], initials[:KEY_LENGTH]


def given_key(name: str) -> str:
    return name_keys(name)[0]


def initials_key(name: str) -> str:
    return name_keys(name)[1]


class NameKeyField(models.CharField):
    """A search key of the row's `name` ("given" or "initials"), set from it whenever the row is written.

    The key is computed in pre_save, which save(), bulk_create and
    `fanzha.core.versioning.save_if_current` all call, so no writer can store
    a name with stale keys; the bulk insert engine computes it from the model's
    `derived_columns`.
    """

    PARTS = {"given": given_key, "initials": initials_key}

    def __init__(self, *args, part: str = "given", **kwargs):
        if part not in self.PARTS:
            raise ValueError(f"part must be one of {sorted(self.PARTS)}")
        self.part = part
        kwargs.setdefault("max_length", KEY_LENGTH)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["part"] = self.part
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = self.PARTS[self.part](model_instance.name)
        setattr(model_instance, self.attname, value)
        return value


def is_initials(text: str) -> bool:
    """Latin letters only: a search by pinyin initials."""
    return bool(text) and text.isascii() and text.isalpha()


def prefix_q(field: str, value: str) -> Q:
    """`field` starts with `value`, in the form the backend answers from a b-tree index.

    PostgreSQL: LIKE 'x%' (the indexes use the pattern operator class, so this
    holds whatever the database's collation). SQLite: LIKE ignores an index
    on a column of the default (binary) collation, a range does not.
    """
    from django.db import connection

    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\U0010ffff"})
    return Q(**{f"{field}__startswith": value})


def name_q(text: str) -> Q:
    """Residents whose name, given name or pinyin initials start with the search text."""
    key = "".join(text.split())
    if is_initials(key):
        return prefix_q("name_initials", key.lower())
    return prefix_q("name", key) | prefix_q("name_given", key)


def _table() -> str:
    """The module `fanzha.core.pinyin_initials`, from pypinyin's character data (a development tool)."""
    from pypinyin.pinyin_dict import pinyin_dict

    first, last = 0x3400, 0x9FFF
    letters = []
    for code in range(first, last + 1):
        readings = pinyin_dict.get(code, "")
        base = unicodedata.normalize("NFD", readings.split(",")[0])[:1].lower() if readings else ""
        letters.append(base if base.isascii() and base.isalpha() else "_")
    text = "".join(letters)
    lines = [text[i:i + 96] for i in range(0, len(text), 96)]
    body = "\n".join(f'    "{line}"' for line in lines)
    return (f'"""First letter of the commonest pinyin reading of each character U+{first:04X}–U+{last:04X} ("_": none).\n\n'
            f"Generated by `python -m fanzha.core.names --table` from pypinyin's data; do not edit.\n"
            f'"""\n\nFIRST = 0x{first:04X}\n\nINITIALS = (\n{body}\n)\n')


if __name__ == "__main__" and sys.argv[1:] == ["--table"]:
    sys.stdout.write(_table())
