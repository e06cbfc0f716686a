"""Helpers for the import/export tests: real files written to disk and read back."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl

from fanzha.core.idnumbers import make_id_number
from fanzha.core.imports import importer_for, run_import
from fanzha.org.importers import import_context

RESIDENT_HEADERS = ["社区", "网格", "十联户", "地址", "户主", "姓名", "性别", "身份证号", "手机号", "备用电话",
                    "居住类型", "与户主关系", "职业", "学生", "财务人员", "独居", "备注"]


def new_id(seq: int, birth: dt.date = dt.date(1970, 1, 1)) -> str:
    return make_id_number("330102", birth + dt.timedelta(days=seq // 1000), seq % 1000)


def bad_checksum_id(seq: int = 99) -> str:
    good = new_id(seq)
    return good[:17] + ("0" if good[17] != "0" else "1")


BAD_ID = bad_checksum_id()


def resident_row(seq: int = 1, **over) -> dict[str, str]:
    row = {
        "社区": "东关社区", "网格": "东关第一网格", "十联户": "东关1-1联户", "地址": f"东关路{100 + seq}号",
        "户主": "", "姓名": f"测试{seq}", "性别": "", "身份证号": new_id(seq), "手机号": f"138{seq:08d}",
        "备用电话": "", "居住类型": "常住", "与户主关系": "户主", "职业": "", "学生": "否", "财务人员": "否",
        "独居": "否", "备注": "",
    }
    row.update(over)
    return row


def as_lists(rows: list[dict], headers: list[str] | None = None) -> list[list]:
    headers = headers or list(rows[0].keys())
    return [headers] + [[r.get(h, "") for h in headers] for r in rows]


def write_xlsx(path: Path, table: list[list], *, title: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    for r in table:
        ws.append(list(r))
    wb.save(path)
    return path


def write_csv(path: Path, table: list[list], *, encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(table)
    return path


def do_import(kind: str, path: Path, user, street, *, dry_run: bool = False, **ctx_kwargs):
    ctx = import_context(user=user, street=street, **ctx_kwargs)
    return run_import(importer_for(kind), ctx, path, filename=path.name, dry_run=dry_run)


def reasons(result) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.reason) for e in result.errors]
