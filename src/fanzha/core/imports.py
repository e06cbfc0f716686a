"""Spreadsheet import framework: .xlsx / .csv with Chinese column headers, every
bad row reported, all or nothing.

A kind of import (residents, units, ...) is an `Importer` subclass listing its
`Column`s; `run_import` does the rest:

1. Sniff the upload by content, not by its name: an .xlsx is a zip holding
   `[Content_Types].xml` and `xl/`; images, PDFs, Word files and other binaries
   are refused with a message saying what the file really is. Text is CSV in
   UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or GB18030
   (what Chinese Excel writes by default).
2. Find the header row (the first of the top rows naming at least two known
   columns, so a title row above the headers is fine), map headers to columns
   through their aliases (whitespace, `*` and bracketed notes ignored), and
   refuse files with missing required columns, duplicated columns, no data rows
   or more rows than the cap.
3. The kind's `validate()` checks every row, records a `RowError` (row number as
   Excel shows it, column header, reason) for each problem and plans its writes
   without touching the database.
4. Any error: nothing is written. A dry run stops here with the counts the
   import would give. Otherwise `apply()` runs inside one `transaction.atomic()`.
5. Every run, whatever its outcome, is written to the audit log.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import logging
import io
import operator
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.core.bulk import fetch_rows, insert_rows, values_present  # noqa: F401  (the importers' writes)

logger = logging.getLogger("fanzha.imports")

#: Longest text accepted in any cell; longer ones are a row error, whatever the column.
MAX_CELL_CHARS = 1000
#: How many of the top rows may hold a title above the header row.
HEADER_SEARCH_ROWS = 10
#: Widest sheet accepted (guards against a sheet blown up to 16,384 columns).
MAX_COLUMNS = 200
#: Largest workbook accepted once unzipped (200,000 rows of 20 short cells are about 200 MB of XML).
MAX_UNPACKED_BYTES = 800 << 20
#: Rows whose first filled cell starts with this are the template's example and are skipped.
EXAMPLE_MARK = "示例"


def max_rows_default() -> int:
    return int(getattr(settings, "FANZHA_IMPORT_MAX_ROWS", 200_000))


class ImportFileError(Exception):
    """The file as a whole cannot be imported (wrong type, empty, no header, ...)."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False  # the column must be present (cells may still be optional)
    help: Any = ""
    example: str = ""
    choices: tuple[str, ...] = ()  # offered as a drop-down list in the template
    max_length: int | None = None
    width: int = 14


@dataclass(frozen=True, order=True)
class RowError:
    row: int
    column: str
    reason: str


class Row:
    """One data row: its number as Excel shows it, and its cells as text in the
    order of the importer's columns ("" for a column the file does not have)."""

    __slots__ = ("n", "values", "index", "bad")

    def __init__(self, n: int, values: tuple[str, ...], index: dict[str, int]):
        self.n = n
        self.values = values
        self.index = index  # column key -> position in values (shared by all rows)
        self.bad: set[str] | None = None  # keys whose cell already has an error

    def __getitem__(self, key: str) -> str:
        return self.values[self.index[key]]


@dataclass
class ImportResult:
    kind: str
    label: str
    filename: str
    dry_run: bool = False
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    file_error: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    applied: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    def counts_text(self) -> str:
        parts = []
        for entity, c in self.counts.items():
            parts.append(_("%(entity)s：新增%(created)d，更新%(updated)d，未变%(unchanged)d") % {"entity": entity, **c})
        return "；".join(parts)

    def summary(self) -> str:
        if self.file_error:
            return _("文件无法导入：%(why)s") % {"why": self.file_error}
        if self.errors:
            return _("%(bad)d行有错误（共%(n)d处），未导入任何数据") % {"bad": self.bad_rows, "n": len(self.errors)}
        if self.dry_run:
            return _("试导入：%(rows)d行全部通过检查，未写入。将会%(counts)s") % {"rows": self.rows, "counts": self.counts_text()}
        return _("已导入%(rows)d行。%(counts)s") % {"rows": self.rows, "counts": self.counts_text()}


def new_counts() -> dict[str, int]:
    return {"created": 0, "updated": 0, "unchanged": 0}


@dataclass
class ImportContext:
    """Who imports, into which part of the tree (`root`), within which scope."""

    user: Any
    root: Any
    scope: Any
    request: Any = None
    max_rows: int = field(default_factory=max_rows_default)
    today: dt.date = field(default_factory=timezone.localdate)


class Importer:
    """One kind of import. Subclasses set the class attributes and implement
    `validate` (no writes; call `self.error` for each problem) and `apply`."""

    kind: ClassVar[str]
    label: ClassVar[Any]
    description: ClassVar[Any] = ""
    columns: ClassVar[list[Column]]
    entities: ClassVar[list[Any]] = []  # labels of the counted entities, in display order

    def __init__(self, ctx: ImportContext):
        self.ctx = ctx
        self.errors: list[RowError] = []
        self.counts: dict[str, dict[str, int]] = {str(e): new_counts() for e in self.entities}
        self.headers: dict[str, str] = {c.key: c.header for c in self.columns}
        self.present: set[str] = set()  # column keys the file has

    # --- for subclasses -------------------------------------------------------
    def error(self, row: Row, key: str, reason: str) -> None:
        if row.bad and key in row.bad:
            return  # one reason per cell is enough
        if row.bad is None:
            row.bad = set()
        row.bad.add(key)
        self.errors.append(RowError(row.n, self.headers.get(key, key), reason))

    def place_unregistered(self, row: Row, places, missing: str):
        """Where a person not on the register goes: the row's grid, else its community (looked up in `places`,
        an org importers' place index); each bad cell is reported, and `missing` when the row names neither."""
        community, grid, _group, errs = places.place(row["community"], row["grid"], "", need_grid=False)
        for key, reason in errs:
            self.error(row, key, reason)
        place = grid or community
        if place is None and not errs:
            self.error(row, "community", missing)
        return place

    def validate(self, rows: list[Row]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def apply(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- for templates --------------------------------------------------------
    def example_row(self) -> dict[str, str]:
        return {c.key: c.example for c in self.columns}

    def choice_lists(self) -> dict[str, list[str]]:
        """Drop-down lists for the template beyond the columns' fixed choices (e.g. this street's grids)."""
        return {}


# --- the kinds of import ----------------------------------------------------------

_KINDS: dict[str, type[Importer]] = {}


def register(kind: str, importer_cls: type[Importer]) -> None:
    """Offer `importer_cls` as `kind` on the import page and the `import` commands.

    Each app registers its kinds from its AppConfig.ready() (org's when its
    importers package loads); the page lists them in registration order.
    """
    known = _KINDS.get(kind)
    if known is not None and known is not importer_cls:
        raise ValueError(f"import kind {kind!r} is already registered by {known.__module__}.{known.__qualname__}")
    _KINDS[kind] = importer_cls


def importer_for(kind: str) -> type[Importer]:
    """The importer registered as `kind` (KeyError for an unknown kind)."""
    return _KINDS[kind]


def kinds() -> dict[str, type[Importer]]:
    """{kind: importer class} of every registered kind, in registration order (a copy)."""
    return dict(_KINDS)


# --- reading files ---------------------------------------------------------------

_MAGIC = [
    (b"\x89PNG", gettext_lazy("PNG图片")),
    (b"\xff\xd8\xff", gettext_lazy("JPEG图片")),
    (b"GIF8", gettext_lazy("GIF图片")),
    (b"%PDF", gettext_lazy("PDF文件")),
    (b"Rar!", gettext_lazy("RAR压缩包")),
    (b"7z\xbc\xaf", gettext_lazy("7z压缩包")),
    (b"\x1f\x8b", gettext_lazy("gzip压缩包")),
    (b"{\\rtf", gettext_lazy("RTF文档")),
]


def _wrong_type(what) -> ImportFileError:
    return ImportFileError(_("文件内容是%(what)s，不是表格。请上传 .xlsx 或 .csv 文件（可下载模板填写）。") % {"what": what})


def read_bytes(source: str | Path | bytes | IO[bytes]) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    if hasattr(source, "chunks"):  # Django UploadedFile
        return b"".join(source.chunks())
    return source.read()


def sniff(data: bytes) -> str:
    """'xlsx' (any workbook calamine reads: xlsx/xlsm/xlsb/ods), 'xls' or 'csv'; ImportFileError otherwise."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise ImportFileError(_("文件是空的。"))
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                unpacked = sum(i.file_size for i in z.infolist())
                mimetype = z.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
        except (zipfile.BadZipFile, OSError, KeyError):
            raise ImportFileError(_("文件已损坏或不完整，无法作为 Excel 表格打开。")) from None
        if unpacked > MAX_UNPACKED_BYTES:  # a "zip bomb", or far beyond the row cap anyway
            raise ImportFileError(_("文件解压后超过%(mb)d MB，请拆分成多个文件导入。") % {"mb": MAX_UNPACKED_BYTES >> 20})
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        if "spreadsheet" in mimetype:
            return "xlsx"
        if any(n.startswith("word/") for n in names):
            raise _wrong_type(_("Word文档（.docx）"))
        if any(n.startswith("ppt/") for n in names):
            raise _wrong_type(_("PowerPoint演示文稿（.pptx）"))
        if "opendocument.text" in mimetype:
            raise _wrong_type(_("文字文档（.odt）"))
        raise _wrong_type(_("zip压缩包"))
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"  # old binary Excel (or a .doc, which calamine then refuses)
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise _wrong_type(what)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"  # UTF-16 text
    if b"\x00" in data[:4096]:
        raise _wrong_type(_("二进制文件"))
    return "csv"


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK/GB2312)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError(_("无法识别文件的文字编码。请在Excel中另存为“CSV UTF-8”或 .xlsx 格式。")) from None


_SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?E\+?[0-9]+$", re.IGNORECASE)


def looks_scientific(text: str) -> bool:
    """'1.10101E+17': a long number that Excel stored or showed as a number, digits lost."""
    return bool(_SCIENTIFIC.match(text))


def cell_text(v: Any) -> str:
    """A cell's value as the text a person reads in it."""
    if v is None:
        return ""
    t = type(v)
    if t is str:
        return v.strip()
    if t is bool:
        return "是" if v else "否"
    if t is float:
        if v.is_integer():
            # Beyond 15 digits a float has already lost digits: keep Excel's
            # scientific look so the column's parser can say so.
            return str(int(v)) if abs(v) < 1e15 else f"{v:.15G}"
        return repr(v)
    if t is int:
        return str(v)
    if t is dt.datetime:
        return v.date().isoformat() if v.time() == dt.time(0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if t is dt.date:
        return v.isoformat()
    if t is dt.time:
        return v.strftime("%H:%M:%S")
    return str(v).strip()


def _fill_merged(rows: list[list[Any]], ranges) -> None:
    """Every cell of a merged range takes the range's value.

    Rosters (花名册) merge the address and head-of-household cells down over a
    family's rows; read plainly, every member but the first has them empty.
    """
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value


def _sheet_rows(sheet, max_rows: int) -> list[list[Any]]:
    if sheet.width > MAX_COLUMNS:
        raise ImportFileError(_("表格有%(n)d列，超过上限%(max)d列。") % {"n": sheet.width, "max": MAX_COLUMNS})
    limit = max_rows + HEADER_SEARCH_ROWS + 1
    rows = sheet.to_python(skip_empty_area=False, nrows=limit)
    _fill_merged(rows, sheet.merged_cell_ranges or ())
    if len(rows) >= limit:
        # More rows than we read: too many, unless the rest are blank.
        for i, r in enumerate(sheet.iter_rows()):
            if i >= limit and any(c != "" for c in r):
                raise ImportFileError(_("数据行数超过上限%(max)d行，请拆分成多个文件导入。") % {"max": max_rows})
    return rows


def _xlsx_rows(data: bytes, kind: str, max_rows: int, columns: list[Column] | None) -> list[list[Any]]:
    """The rows of the first visible sheet that has a header row of `columns` (else of the first sheet)."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - calamine raises several types for broken files
        if kind == "xls":
            raise _wrong_type(_("Word文档或其他旧版Office文件")) from None
        raise ImportFileError(_("文件已损坏或不是有效的 Excel 表格，无法打开。")) from None
    try:
        names = [m.name for m in wb.sheets_metadata if str(m.visible).endswith("Visible")] or wb.sheet_names
        if not names:
            raise ImportFileError(_("文件是空的。"))
        first = None
        lookup = _lookup(columns) if columns else None
        for name in names:
            rows = _sheet_rows(wb.get_sheet_by_name(name), max_rows)
            if lookup is None or _find_header(rows, lookup, columns) >= 0:
                return rows
            if first is None:
                first = rows
        return first
    finally:
        wb.close()


_BLANK: tuple = ()


def _csv_rows(data: bytes, max_rows: int) -> list:
    """The CSV's rows, streamed: refused as soon as it holds more data rows than allowed.

    Blank lines keep their place (so row numbers stay the file's) as one shared
    empty tuple, and only when a data row follows them: trailing blank lines
    cost nothing, and a file of millions of lines is refused without holding
    them all.
    """
    text = decode_text(data)
    first = text[:text.find("\n")] if "\n" in text[:65536] else text[:65536]
    delimiter = max((",", "\t", ";"), key=first.count) if any(d in first for d in ",\t;") else ","
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
    limit = max_rows + HEADER_SEARCH_ROWS + 1  # data rows plus the header and rows above it
    line_limit = 2 * limit  # blank lines between data rows count too, so they cannot be used to pile up rows
    rows: list = []
    filled = pending_blank = 0
    too_many = ImportFileError(_("数据行数超过上限%(max)d行，请拆分成多个文件导入。") % {"max": max_rows})
    strip = str.strip
    try:
        for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if not any(map(strip, r)):  # no line, or only blank cells (in C: no generator frame per row)
                pending_blank += 1
                continue
            if pending_blank:
                if len(rows) + pending_blank > line_limit:
                    raise too_many
                rows.extend([_BLANK] * pending_blank)
                pending_blank = 0
            filled += 1
            if filled > limit:
                raise too_many
            rows.append(r)
    except csv.Error as e:
        raise ImportFileError(_("CSV文件格式有误：%(why)s") % {"why": e}) from None
    return rows


def read_sheet(data: bytes, max_rows: int, columns: list[Column] | None = None) -> list[list[Any]]:
    """The rows of the upload: a CSV, or the workbook's sheet holding `columns`' header."""
    kind = sniff(data)
    return _xlsx_rows(data, kind, max_rows, columns) if kind in ("xlsx", "xls") else _csv_rows(data, max_rows)


_BRACKETED = re.compile(r"[（(【\[].*?[)）】\]]")
_SPACES = re.compile(r"\s+")


_LINE_BREAK = re.compile(r"\s*[\r\n]+\s*")


def one_line(header: str) -> str:
    """A header cell written over several lines, as it reads on one: '身份\n证号' → '身份证号', 'Phone\nnumber' → 'Phone number'."""
    def join(m: re.Match) -> str:
        before, after = m.string[m.start() - 1:m.start()], m.string[m.end():m.end() + 1]
        return " " if before.isascii() and before.isalnum() and after.isascii() and after.isalnum() else ""
    return _LINE_BREAK.sub(join, header.strip())


def norm_header(text: Any) -> str:
    """'  学生 *(是/否)' -> '学生'."""
    t = _SPACES.sub("", cell_text(text))
    t = _BRACKETED.sub("", t).strip("*＊:：")
    return t.lower()


@dataclass
class Table:
    header_row: int  # 1-based, as Excel shows it
    rows: list[Row]
    errors: list[RowError]
    ignored: list[str]
    present: set[str]
    names: dict[str, str]  # column key -> its header as written in the file (errors name it so)


def _lookup(columns: list[Column]) -> dict[str, Column]:
    """Normalised header (and alias) -> column."""
    return {norm_header(name): c for c in columns for name in (c.header, *c.aliases)}


def _find_header(raw: list[list[Any]], lookup: dict[str, Column], columns: list[Column]) -> int:
    required = [c.key for c in columns if c.required]
    best = -1
    for i, r in enumerate(raw[:HEADER_SEARCH_ROWS]):
        keys = {lookup[h].key for h in (norm_header(c) for c in r) if h in lookup}
        if len(keys) >= 2 or (required and all(k in keys for k in required)):
            return i
        if best < 0 and keys:
            best = i
    return best


def parse_table(raw: list[list[Any]], columns: list[Column], max_rows: int) -> Table:
    """Map the header row onto `columns` and turn data rows into `Row`s.

    Cells longer than a column's limit (or MAX_CELL_CHARS) become row errors here.
    """
    lookup = _lookup(columns)
    if not any(any(cell_text(c) for c in r) for r in raw):
        raise ImportFileError(_("文件是空的。"))
    h = _find_header(raw, lookup, columns)
    if h < 0:
        expected = "、".join(c.header for c in columns[:6])
        raise ImportFileError(_("找不到表头：第一行应是列名，如 %(cols)s ……（请下载模板对照）。") % {"cols": expected})
    mapping: list[tuple[int, Column]] = []
    seen: dict[str, str] = {}
    ignored: list[str] = []
    for i, cell in enumerate(raw[h]):
        name = cell_text(cell)
        if not name:
            continue
        col = lookup.get(norm_header(name))
        if col is None:
            ignored.append(one_line(name))
            continue
        if col.key in seen:
            raise ImportFileError(_("“%(a)s”和“%(b)s”是同一列，请只保留一列。") % {"a": seen[col.key], "b": name})
        seen[col.key] = one_line(name).rstrip("*＊ ")
        mapping.append((i, col))
    missing = [c.header for c in columns if c.required and c.key not in seen]
    if missing:
        raise ImportFileError(_("缺少必需的列：%(cols)s。") % {"cols": "、".join(missing)})

    rows: list[Row] = []
    errors: list[RowError] = []
    width = len(raw[h])
    index = {c.key: i for i, c in enumerate(columns)}
    where = {col.key: i for i, col in mapping}
    # Each importer column's cell: its position in the file's row, or one past the
    # end (every row gets a trailing "") for a column the file does not have.
    cells_of = operator.itemgetter(*[where.get(c.key, width) for c in columns])
    limits = [(index[col.key], col.key, seen[col.key], col.max_length or MAX_CELL_CHARS) for _i, col in mapping]
    shortest = min(limit for *_x, limit in limits)
    strip = str.strip
    for n, r in enumerate(raw[h + 1:], start=h + 2):
        if len(r) <= width:
            r = list(r) + [""] * (width + 1 - len(r))
        cells = cells_of(r)
        try:
            values = tuple(map(strip, cells))  # all text: the common case, done in C
        except TypeError:
            values = tuple(map(cell_text, cells))
        if not any(values):
            continue
        for c in r:  # the template's example row starts with 示例
            if c is not None and c != "":
                if type(c) is str and c.lstrip().startswith(EXAMPLE_MARK):
                    values = None
                break
        if values is None:
            continue
        if len(rows) >= max_rows:
            raise ImportFileError(_("数据行数超过上限%(max)d行，请拆分成多个文件导入。") % {"max": max_rows})
        row = Row(n, values, index)
        if max(map(len, values)) > shortest:
            cut = list(values)
            for i, key, header, limit in limits:
                if len(cut[i]) > limit:
                    errors.append(RowError(n, header, _("内容过长：%(n)d个字符，此列最多%(max)d个") % {"n": len(cut[i]), "max": limit}))
                    cut[i] = cut[i][:limit]
                    row.bad = (row.bad or set()) | {key}
            row.values = tuple(cut)
        rows.append(row)
    if not rows:
        raise ImportFileError(_("文件中没有数据行（只有表头）。"))
    return Table(header_row=h + 1, rows=rows, errors=errors, ignored=ignored, present=set(seen), names=seen)


# --- running an import -----------------------------------------------------------


def _sqlite_mmap(size: int) -> int:
    """Set SQLite's memory map of the database file for this connection; return the size it had (0 elsewhere).

    An import reads a street's residents once and writes pages the process never reads again: mapped, they
    stay in its resident set (~200 MB of a county's file), so the import turns mapping off while it runs."""
    from django.db import connection

    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return 0
    with connection.cursor() as cur:
        before = cur.execute("PRAGMA mmap_size").fetchone()[0]
        cur.execute(f"PRAGMA mmap_size={int(size)}")
    return int(before)


def run_import(importer_cls: type[Importer], ctx: ImportContext, source, *, filename: str = "",
               dry_run: bool = False) -> ImportResult:
    """Read, validate, and (when every row is good and not a dry run) apply; audited."""
    from fanzha.core.audit import audit
    from fanzha.core.models import AuditAction

    started = time.monotonic()
    importer = importer_cls(ctx)
    result = ImportResult(kind=importer.kind, label=str(importer.label), filename=filename, dry_run=dry_run)
    # An import allocates a few hundred thousand long-lived tuples (cells, plans, the street's residents)
    # and no reference cycles: the cyclic collector would traverse them over and over as they pile up
    # (a third of a re-import's time). Paused for the import, as it was before, however it ends.
    collecting = gc.isenabled()
    mapped = 0
    try:
        gc.disable()
        mapped = _sqlite_mmap(0)
        data = read_bytes(source)
        table = parse_table(read_sheet(data, ctx.max_rows, importer.columns), importer.columns, ctx.max_rows)
        del data
        result.rows = len(table.rows)
        result.ignored_columns = table.ignored
        importer.errors.extend(table.errors)
        importer.present = table.present
        importer.headers.update(table.names)
        importer.validate(table.rows)
        del table  # the cells' text is not needed any more: what to write is planned (less memory while writing)
        order = {header: i for i, header in enumerate(importer.headers.values())}
        result.errors = sorted(importer.errors, key=lambda e: (e.row, order.get(e.column, len(order)), e.reason))
        if result.errors:
            result.counts = {}
        elif not dry_run:
            try:
                with transaction.atomic():
                    importer.apply()
            except IntegrityError as e:  # someone changed the same records meanwhile
                raise ImportFileError(_("写入时与他人同时修改的数据冲突，未导入任何数据，请重新导入。（%(why)s）") % {"why": e}) from None
            except OperationalError as e:  # e.g. SQLite still locked by another writer after the timeout
                raise ImportFileError(_("数据库繁忙，未导入任何数据，请稍后重新导入。（%(why)s）") % {"why": e}) from None
            result.applied = True
        if not result.errors:
            result.counts = importer.counts
    except ImportFileError as e:
        result.file_error = str(e)
        result.errors = []
        result.counts = {}
    finally:
        # The importer's plans (a row's worth of objects per row) are freed by reference counting
        # first: alive when the collector comes back, they would all be traversed by its next pass.
        del importer
        if collecting:
            gc.enable()
        if mapped:
            try:
                _sqlite_mmap(mapped)
            except Exception:  # a broken connection must not hide the import's own outcome
                logger.warning("could not restore SQLite's mmap_size after an import", exc_info=True)
    result.seconds = time.monotonic() - started
    audit(user=ctx.user, action=AuditAction.IMPORT, target=f"import:{result.kind}",
          detail=" · ".join([filename or "-", *([_("试导入")] if dry_run else []), result.summary()]), request=ctx.request)
    return result
