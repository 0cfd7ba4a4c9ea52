"""Spreadsheets (.xlsx) with Chinese column headers: pure reading, checking and writing.

A ``SheetSpec`` lists the columns of one kind of record: the Chinese header the user
sees, the key the use cases know, a parser that turns one cell into a value (or
raises ``CellError`` with a Chinese message) and a formatter for the way back.

Reading (``read_sheet``) never stops at the first problem: it returns every parsed
row together with every problem found, each as (row number as Excel shows it, column
header, message). Headers are matched by their Chinese name, whatever their order
and surrounding spaces (a trailing ``*`` marking a required column is ignored);
unknown columns and missing required ones are reported against the header row. Rows
with nothing in them are skipped.

Writing (``write_sheet``) produces one worksheet with a styled header row, the header
frozen and carrying an autofilter over the data, widths per column, drop-down lists for
coded values, a print setup (landscape, one page wide, the header row repeated on every
page), and a second sheet "填写说明" describing each column. Cell types, decided once here:

- dates are real Excel dates (``yyyy-mm-dd``);
- money and areas are numbers shown with two decimals (``#,##0.00``), so the user can
  sum them; a value of 10^13 or more is written as text instead, because a binary
  float carries only 15 significant digits and would lose the fen. On reading, a
  number cell is taken through its shortest decimal representation; float noise
  below 10^-6 from a formula (``0.1+0.2``) is rounded to two places, and anything
  with a real third decimal place is refused, as the API refuses it;
- text and codes are text (a code like ``001`` keeps its zeros).

Formulas: a cell holding a formula is read by the result the workbook stores with it (Excel
and its peers store it on saving). A formula without a stored result (a workbook written by a
program that does not compute) is refused with its row and column, in every kind of column,
and so is one whose result is an error (``#DIV/0!``): never read as a blank cell, which
would clear the field on a re-import.

Updating (``row_changes``): a row whose ID names an existing record is compared with
what an export writes of that record; only the cells that differ become changes, and a
column the update may not make (``UpdateRules.fixed``) is refused when it differs.

Nothing here touches the database or HTTP: the use cases in ``imports.py`` add the
checks that need the database and turn the collected problems into one error.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from kernel.errors import FieldError, Invalid, TooLarge, UnsupportedMediaType
from kernel.types import quantize2

__all__ = [
    "XLSX_MEDIA_TYPE", "CellError", "Column", "FormulaCell", "ParsedRow", "ParsedSheet", "RowChanges", "SheetIssue",
    "SheetLimits", "SheetNotXlsx", "SheetSpec", "SheetTooLarge", "SheetUnreadable", "UpdateRules", "bool_cell",
    "bool_format", "check_upload", "date_cell", "decimal_cell", "enum_cell", "integer_cell", "is_xlsx", "read_sheet",
    "row_changes", "same_value", "text_cell", "uuid_cell", "write_sheet",
]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)


# --------------------------------------------------------------------------- errors


class SheetNotXlsx(UnsupportedMediaType):
    code = "sheet.not_xlsx"
    title_zh = "请上传 Excel 工作簿（.xlsx 格式）"
    title_en = "Upload an Excel workbook (.xlsx)"


class SheetUnreadable(Invalid):
    code = "sheet.unreadable"
    title_zh = "文件已损坏或不是有效的 Excel 工作簿，无法读取"
    title_en = "The file is damaged or not a valid Excel workbook"


class SheetTooLarge(TooLarge):
    code = "sheet.too_large"
    title_zh = "文件或行数超出上限"
    title_en = "The file or its number of rows exceeds the limit"


class CellError(ValueError):
    """A cell that cannot be taken: ``message`` is for the user, in Chinese."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True, slots=True)
class FormulaCell:
    """A formula cell whose value cannot be taken: no result stored with it (``error`` None),
    or a result that is an error value such as ``#DIV/0!``."""

    formula: str
    error: str | None = None

    def refusal(self) -> CellError:
        if self.error is None:
            return CellError("单元格含公式但没有计算结果，请在 Excel 中重新计算保存后再导入，或填写数值",
                             "formula_not_computed")
        return CellError(f"单元格公式计算出错（{self.error}），请改正公式后再导入，或填写数值", "formula_error")


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """One column: its Chinese header, the key of its value, how to read and write it."""

    header: str
    key: str
    parse: Callable[[Any], T]
    format: Callable[[T], Any] = lambda value: value
    required: bool = False
    width: float = 14
    number_format: str | None = None
    hint: str = ""
    choices: tuple[str, ...] = ()  # offered as a drop-down list
    export_only: bool = False  # written by an export, ignored by an import (a status, a computed flag)

    def read(self, raw: Any) -> T | None:
        """The value of one cell; ``None`` when blank (``CellError`` if required, or if the cell is
        a formula without a usable result)."""
        if isinstance(raw, FormulaCell):
            raise raw.refusal()
        if _blank(raw):
            if self.required:
                raise CellError("必填，不能为空", "required")
            return None
        return self.parse(raw.strip() if isinstance(raw, str) else raw)

    def write(self, value: T | None) -> Any:
        return None if value is None else self.format(value)


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """The columns of one kind of record, in the order they are written."""

    kind: str
    title: str  # worksheet name, Chinese
    columns: tuple[Column[Any], ...]

    def __post_init__(self) -> None:
        headers = [_normal_header(c.header) for c in self.columns]
        if len(set(headers)) != len(headers) or len({c.key for c in self.columns}) != len(self.columns):
            raise ValueError(f"{self.kind}: headers and keys must be unique")

    def column(self, key: str) -> Column[Any]:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class SheetLimits:
    """Bounds on what is read: the upload's size, its unpacked size, and its rows."""

    max_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_rows: int = 2_000  # each row goes through its use case (~5–10 ms): a file stays well under a minute


@dataclass(frozen=True, slots=True, order=True)
class SheetIssue:
    """One problem: Excel's row number (1 is the first row), the column header (``None``:
    the whole row or file) and a Chinese message."""

    row: int
    column: str | None
    message: str
    code: str = "invalid"

    def field_error(self, key: str | None) -> FieldError:
        """As a field error: ``rows.<row>.<key>``, the message naming row and column."""
        where = f"第 {self.row} 行" + (f"「{self.column}」" if self.column else "")
        path = f"rows.{self.row}" + (f".{key}" if key else "")
        return FieldError(path, self.code, f"{where}：{self.message}")


@dataclass(frozen=True, slots=True)
class ParsedRow:
    number: int
    values: dict[str, Any]
    bad: frozenset[str] = frozenset()  # keys whose cell could not be read

    def ok(self, key: str) -> bool:
        return key not in self.bad


@dataclass(slots=True)
class ParsedSheet:
    spec: SheetSpec
    header_row: int
    rows: list[ParsedRow] = field(default_factory=list)
    issues: list[SheetIssue] = field(default_factory=list)
    present: frozenset[str] = frozenset()  # keys of the (importable) columns the file has

    def has(self, row: int, key: str) -> bool:
        """Whether a problem is already reported on this row's cell of ``key``."""
        header = self.spec.column(key).header
        return any(i.row == row and i.column == header for i in self.issues)

    def add(self, row: int, key: str | None, message: str, code: str = "invalid") -> None:
        header = self.spec.column(key).header if key else None
        self.issues.append(SheetIssue(row, header, message, code))


# --------------------------------------------------------------------------- cell parsers

_SPACES = re.compile(r"\s+")


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text_cell(*, max_length: int, pattern: str | None = None, pattern_hint: str = "格式不正确",
              upper: bool = False) -> Callable[[Any], str]:
    """Text; numbers typed into a text column (a code like 430903001000) are taken as written."""
    compiled = re.compile(pattern) if pattern else None

    def parse(raw: Any) -> str:
        if isinstance(raw, bool | dt.date | dt.datetime | dt.time):
            raise CellError("应为文本")
        if isinstance(raw, float):
            if not raw.is_integer():
                raise CellError("应为文本")
            raw = int(raw)
        value = str(raw).strip()
        if upper:
            value = value.upper()
        if len(value) > max_length:
            raise CellError(f"不能超过 {max_length} 个字")
        if compiled is not None and not compiled.fullmatch(value):
            raise CellError(pattern_hint)
        return value

    return parse


def integer_cell(*, minimum: int = 0, maximum: int = 1_000_000_000) -> Callable[[Any], int]:
    def parse(raw: Any) -> int:
        if isinstance(raw, bool):
            raise CellError("应为整数")
        if isinstance(raw, float):
            if not raw.is_integer():
                raise CellError("应为整数")
            value = int(raw)
        elif isinstance(raw, int):
            value = raw
        elif isinstance(raw, str) and re.fullmatch(r"[+-]?[0-9]+", raw.replace(",", "")):
            value = int(raw.replace(",", ""))
        else:
            raise CellError("应为整数")
        if value < minimum:
            raise CellError(f"不能小于 {minimum}")
        if value > maximum:
            raise CellError(f"不能大于 {maximum}")
        return value

    return parse


_FLOAT_NOISE = Decimal("0.000001")
_DECIMAL_TEXT = re.compile(r"[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?")


def decimal_cell(*, non_negative: bool = True, below: Decimal = Decimal("1e14")) -> Callable[[Any], Decimal]:
    """A two-place decimal (money, area): a number cell or text such as ``1,280,000.50``."""

    def parse(raw: Any) -> Decimal:
        if isinstance(raw, bool):
            raise CellError("应为数值")
        if isinstance(raw, float):
            if raw != raw or raw in (float("inf"), float("-inf")):
                raise CellError("应为数值")
            value = Decimal(repr(raw))
            rounded = quantize2(value)
            if abs(value - rounded) > _FLOAT_NOISE:
                raise CellError("最多保留两位小数")
            value = rounded
        elif isinstance(raw, int):
            value = Decimal(raw)
        elif isinstance(raw, str):
            text = raw.replace(" ", "")
            if not _DECIMAL_TEXT.fullmatch(text):
                raise CellError("应为数值")
            try:
                value = Decimal(text.replace(",", ""))
            except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
                raise CellError("应为数值") from exc
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int) and exponent < -2:
                raise CellError("最多保留两位小数")
        else:
            raise CellError("应为数值")
        if non_negative and value < 0:
            raise CellError("不能为负数")
        if abs(value) >= below:
            raise CellError("数值过大")
        return quantize2(value)

    return parse


_DATE_TEXT = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?")
_DATE_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_TIME_OF_DAY = re.compile(r"(T?[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?")
#: Excel day numbers taken as dates: 1 (1900-01-01) to 99999 (2173): beyond, a number is no date.
_SERIAL_RANGE = (1, 100_000)


def date_cell() -> Callable[[Any], dt.date]:
    """A date: an Excel date cell, a day number, or text such as 2024-03-01, 2024/3/1,
    2024.3.1, 2024年3月1日 or 20240301 (a time of day, if any, is ignored)."""

    def parse(raw: Any) -> dt.date:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, bool):
            raise CellError("应为日期")
        if isinstance(raw, int | float):
            if isinstance(raw, float) and not raw.is_integer():
                raw = int(raw)  # a date with a time of day
            number = int(raw)
            if _SERIAL_RANGE[0] <= number < _SERIAL_RANGE[1]:
                converted = from_excel(number)
                if isinstance(converted, dt.datetime):
                    return converted.date()
            raw = str(number)
        if isinstance(raw, str):
            text = raw.strip()
            match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
            if match and _TIME_OF_DAY.fullmatch(text[match.end():].strip()):
                try:
                    return dt.date(int(match[1]), int(match[2]), int(match[3]))
                except ValueError as exc:
                    raise CellError("日期不存在") from exc
        raise CellError("应为日期，如 2024-03-01")

    return parse


def enum_cell(labels: Mapping[E, str], aliases: Mapping[str, E] | None = None) -> Callable[[Any], E]:
    """A coded value, by its Chinese label, the code itself, or one of ``aliases``."""
    by_text: dict[str, E] = {}
    for member, label in labels.items():
        by_text[_SPACES.sub("", label)] = member
        by_text[str(member.value)] = member
    for alias, member in (aliases or {}).items():
        by_text[_SPACES.sub("", alias)] = member
    allowed = "、".join(labels.values())

    def parse(raw: Any) -> E:
        found = by_text.get(_SPACES.sub("", str(raw)))
        if found is None:
            raise CellError(f"应为以下之一：{allowed}")
        return found

    return parse


_TRUE = frozenset({"是", "Y", "YES", "TRUE", "1", "√"})
_FALSE = frozenset({"否", "N", "NO", "FALSE", "0", "×"})


def bool_cell() -> Callable[[Any], bool]:
    """是 / 否 (also TRUE / FALSE, Y / N, 1 / 0, an Excel boolean)."""

    def parse(raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        text = str(int(raw) if isinstance(raw, float) and raw.is_integer() else raw).strip().upper()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CellError("应为“是”或“否”")

    return parse


def bool_format(value: bool) -> str:
    return "是" if value else "否"


def uuid_cell() -> Callable[[Any], uuid.UUID]:
    def parse(raw: Any) -> uuid.UUID:
        try:
            return uuid.UUID(str(raw))
        except ValueError as exc:
            raise CellError("不是有效的 ID") from exc

    return parse


def money_format(value: Decimal) -> Decimal | str:
    """Money and areas as numbers, or as text past the 15 digits a float keeps."""
    return value if abs(value) < Decimal("1e13") else f"{value:.2f}"


def date_format(value: dt.date) -> dt.date:
    return value


# --------------------------------------------------------------------------- reading


def is_xlsx(data: bytes) -> bool:
    """An .xlsx is a zip archive (the check that needs no parsing)."""
    return data[:4] == b"PK\x03\x04"


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc): a compound file
#: Media types an upload of an .xlsx may honestly carry (browsers and tools differ).
ACCEPTED_UPLOAD_TYPES = frozenset({XLSX_MEDIA_TYPE, "application/octet-stream", "application/zip",
                                   "application/x-zip-compressed", ""})


def check_upload(filename: str | None, content_type: str | None, data: bytes) -> None:
    """Refuse what is plainly not an .xlsx before parsing: a legacy .xls, another file type."""
    name = (filename or "").strip().lower()
    media = (content_type or "").split(";")[0].strip().lower()
    if name.endswith(".xls") or media == "application/vnd.ms-excel" or data.startswith(_OLE_MAGIC):
        raise SheetNotXlsx("legacy .xls", errors=[FieldError(
            "body.file", "xls_not_supported", "不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再上传")])
    if media not in ACCEPTED_UPLOAD_TYPES or ("." in name and not name.endswith(".xlsx")):
        raise SheetNotXlsx(f"not an xlsx: {media or name}", errors=[FieldError(
            "body.file", "not_xlsx", "只接受 .xlsx 格式的 Excel 工作簿，请使用下载的模板填写")])


def _normal_header(text: Any) -> str:
    return _SPACES.sub("", str(text or "")).strip("*＊")


def _open(data: bytes, limits: SheetLimits) -> Any:
    if len(data) > limits.max_bytes:
        raise SheetTooLarge(f"file larger than {limits.max_bytes} bytes", errors=[
            FieldError("body.file", "too_large", f"文件不能超过 {limits.max_bytes // (1024 * 1024)} MB")])
    if not is_xlsx(data):
        raise SheetNotXlsx(errors=[FieldError("body.file", "not_xlsx", "文件不是 .xlsx 格式的 Excel 工作簿")])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SheetUnreadable(errors=[FieldError("body.file", "unreadable", "文件已损坏，无法读取")]) from exc
    if unpacked > limits.max_unpacked_bytes:
        raise SheetTooLarge("unpacked workbook too large", errors=[
            FieldError("body.file", "too_large", "工作簿解压后过大")])
    return _load(data, data_only=False)


def _load(data: bytes, *, data_only: bool) -> Any:
    """The workbook, streamed: with each formula as its text, or (``data_only``) as its stored result."""
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SheetUnreadable(errors=[FieldError("body.file", "unreadable", "文件已损坏或不是有效的 Excel 工作簿")]) \
            from exc


def _worksheet(book: Any, spec: SheetSpec) -> Any:
    return book[spec.title] if spec.title in book.sheetnames else book.worksheets[0]


def _formula_result(formula: Any, result: Any) -> Any:
    """What a formula cell is read as (``result``: the cell as stored): its result, blank for an
    empty text, or a ``FormulaCell`` refusing it (no result stored, or an error value)."""
    text = str(getattr(formula, "text", formula))
    if result.data_type == "e":
        return FormulaCell(text, str(result.value))
    if result.value is None:
        return "" if result.data_type == "str" else FormulaCell(text)  # an empty text is stored as no value
    return result.value


def _rows(data: bytes, spec: SheetSpec, limits: SheetLimits) -> Iterable[tuple[int, tuple[Any, ...]]]:
    """The rows' values from row 1. The workbook is read with its formulas; a second reading, of
    the formulas' stored results, starts only at the first row holding a formula and then keeps
    pace (both readings see the same rows), so a sheet without formulas is read once."""
    book = _open(data, limits)
    results: Any = None
    try:
        sheet = _worksheet(book, spec)
        stored: Iterator[tuple[Any, ...]] | None = None  # the stored results' cells, once a formula is met
        for number, cells in enumerate(sheet.iter_rows(min_row=1), start=1):
            values = tuple(cell.value for cell in cells)
            formulas = [i for i, cell in enumerate(cells) if cell.data_type == "f"]
            if formulas:
                if stored is None:
                    results = _load(data, data_only=True)
                    stored = iter(_worksheet(results, spec).iter_rows(min_row=number))
                computed = next(stored, ())
                values = tuple(_formula_result(v, computed[i] if i < len(computed) else EMPTY_CELL)
                               if i in formulas else v for i, v in enumerate(values))
            elif stored is not None:
                next(stored, None)
            yield number, values
    except (KeyError, ValueError, TypeError, AttributeError, IndexError, zipfile.BadZipFile) as exc:
        raise SheetUnreadable(errors=[FieldError("body.file", "unreadable", "工作表内容无法读取")]) from exc
    finally:
        book.close()
        if results is not None:
            results.close()


#: How many rows from the top are searched for the header row (a title may sit above it).
HEADER_SEARCH_ROWS = 10


def read_sheet(data: bytes, spec: SheetSpec, limits: SheetLimits | None = None) -> ParsedSheet:
    """Every row of the first worksheet (or the one named ``spec.title``), with every problem."""
    limits = limits or SheetLimits()
    known = {_normal_header(c.header): c for c in spec.columns}
    ignored = {name for name, c in known.items() if c.export_only}
    rows = iter(_rows(data, spec, limits))
    positions: dict[int, Column[Any]] = {}
    header_row = 0
    header_values: tuple[Any, ...] = ()
    for number, values in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        found = {i: known[_normal_header(v)] for i, v in enumerate(values) if _normal_header(v) in known}
        if found:
            positions, header_row = found, number
            header_values = values
            break
    positions = {i: c for i, c in positions.items() if not c.export_only}
    sheet = ParsedSheet(spec, header_row)
    if not positions:
        sheet.issues.append(SheetIssue(1, None, "未找到表头：第一行应为列名，如“" + "”“".join(
            c.header for c in spec.columns if c.required) + "”", "no_header"))
        return sheet
    seen: set[str] = set()
    for i, value in enumerate(header_values):
        name = _normal_header(value)
        if not name or name in ignored:
            continue
        if name not in known:
            sheet.issues.append(SheetIssue(header_row, str(value).strip(), "无法识别的列，请使用模板中的列名",
                                           "unknown_column"))
        elif known[name].key in seen:
            sheet.issues.append(SheetIssue(header_row, known[name].header, "列重复", "duplicate_column"))
            positions.pop(i, None)
        else:
            seen.add(known[name].key)
    sheet.present = frozenset(seen)
    for column in spec.columns:
        if column.required and column.key not in seen:
            sheet.issues.append(SheetIssue(header_row, column.header, "缺少必填列", "missing_column"))
    data_rows = 0
    for number, values in rows:
        if all(_blank(v) for v in values):
            continue
        data_rows += 1
        if data_rows > limits.max_rows:
            raise SheetTooLarge(f"more than {limits.max_rows} rows", errors=[
                FieldError("body.file", "too_many_rows", f"一次最多导入 {limits.max_rows} 行，请分批导入")])
        parsed: dict[str, Any] = {}
        bad: set[str] = set()
        for i, column in positions.items():
            raw = values[i] if i < len(values) else None
            try:
                parsed[column.key] = column.read(raw)
            except CellError as exc:
                bad.add(column.key)
                sheet.issues.append(SheetIssue(number, column.header, exc.message, exc.code))
        for column in spec.columns:
            parsed.setdefault(column.key, None)
        sheet.rows.append(ParsedRow(number, parsed, frozenset(bad)))
    return sheet


# --------------------------------------------------------------------------- updates


@dataclass(frozen=True, slots=True)
class UpdateRules:
    """How a row updates the record its ID names. ``updatable``: the columns the kind's update
    use case may change (their keys are the use case's field names); ``defaults``: what a blank
    cell of one of them means (as on creation: a blank status is "not started"); ``fixed``: the
    columns it may not change, each with the (code, message) of the refusal, ``{current}`` in the
    message naming the record's value (a blank fixed cell changes nothing). The record ID and
    its version are checked apart; export-only columns are ignored as on creation."""

    updatable: frozenset[str]
    fixed: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def covers(self, spec: SheetSpec) -> bool:
        """Every column an import reads is updatable, fixed, or the ID and version."""
        keys = {c.key for c in spec.columns if not c.export_only} - {"id", "version"}
        return keys == set(self.updatable) | set(self.fixed) and not set(self.updatable) & set(self.fixed)


@dataclass(frozen=True, slots=True)
class RowChanges:
    """What a row would change in its record (by field), and what it may not change:
    (key, code, message) for each fixed column that differs."""

    changes: dict[str, Any]
    refused: tuple[tuple[str, str, str], ...] = ()


def _plain(value: Any) -> Any:
    """A value as compared: an enum by its code, text without surrounding spaces, empty text as blank."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str):
        value = value.strip() or None
    return value


def same_value(a: Any, b: Any) -> bool:
    return bool(_plain(a) == _plain(b))


def _shown(column: Column[Any], value: Any) -> str:
    if value is None:
        return "空"
    written = column.write(value)
    return written.isoformat() if isinstance(written, dt.date) else str(written)


def row_changes(spec: SheetSpec, row: ParsedRow, present: Iterable[str], record: Mapping[str, Any],
                rules: UpdateRules) -> RowChanges:
    """The differences between a row and the record it names (``record``: the values an export
    writes, by column key), over the columns the file has (a column left out changes nothing) and
    whose cell could be read. An unchanged row gives no changes."""
    keys = set(present)
    changes: dict[str, Any] = {}
    refused: list[tuple[str, str, str]] = []
    for column in spec.columns:
        key = column.key
        if column.export_only or key not in keys or not row.ok(key):
            continue
        value = row.values.get(key)
        if key in rules.fixed:
            if value is not None and not same_value(value, record.get(key)):
                code, message = rules.fixed[key]
                refused.append((key, code, message.format(current=_shown(column, record.get(key)))))
        elif key in rules.updatable:
            if value is None:
                value = rules.defaults.get(key)
            if not same_value(value, record.get(key)):
                changes[key] = value
    return RowChanges(changes, tuple(refused))


# --------------------------------------------------------------------------- writing

_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_REQUIRED_FONT = Font(bold=True, color="FFE699")
_THIN = Side(style="thin", color="BFBFBF")
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
#: Rows the drop-down lists of a template or export cover beyond the data.
DROPDOWN_SPARE_ROWS = 1000
CHOICES_SHEET = "下拉选项"
PAPER_SIZE_A4 = 9


def _text_cell(sheet: Any, value: str) -> Any:
    """Text as text: never a formula (a name typed as ``=HYPERLINK(...)`` stays what was typed;
    formula injection), and without the control characters a workbook cannot hold (they would
    fail the whole export)."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def write_sheet(spec: SheetSpec, records: Iterable[Mapping[str, Any]], *, notes: Sequence[str] = ()) -> bytes:
    """A workbook of ``records`` (mappings by column key); with no records, the blank template."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(spec.title)
    sheet.freeze_panes = "A2"
    _print_setup(sheet)
    for i, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    header = []
    for column in spec.columns:
        cell = WriteOnlyCell(sheet, value=column.header + ("*" if column.required else ""))
        cell.fill = _HEADER_FILL
        cell.font = _REQUIRED_FONT if column.required else _HEADER_FONT
        cell.border = _HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    formats = [column.number_format for column in spec.columns]
    count = 0
    for record in records:
        row = []
        for column, number_format in zip(spec.columns, formats, strict=True):
            value = column.write(record.get(column.key))
            if isinstance(value, str):
                row.append(_text_cell(sheet, value))
            elif number_format and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                row.append(cell)
            else:
                row.append(value)
        sheet.append(row)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{count + 1}"
    _write_notes(book, spec, notes)
    last = count + 1 + DROPDOWN_SPARE_ROWS
    with_choices = [(i, c) for i, c in enumerate(spec.columns, start=1) if c.choices]
    if with_choices:
        # Lists live on a hidden sheet (a list typed into the rule is limited to 255 characters).
        lists = book.create_sheet(CHOICES_SHEET)
        lists.sheet_state = "hidden"
        longest = max(len(c.choices) for _, c in with_choices)
        for n in range(longest):
            lists.append([c.choices[n] if n < len(c.choices) else None for _, c in with_choices])
        for j, (i, column) in enumerate(with_choices, start=1):
            source = get_column_letter(j)
            target = get_column_letter(i)
            validation = DataValidation(type="list", formula1=f"'{CHOICES_SHEET}'!${source}$1:${source}$"
                                        f"{len(column.choices)}", allow_blank=not column.required,
                                        showErrorMessage=True, errorTitle="取值不合法", error="请从下拉列表中选择")
            validation.add(f"{target}2:{target}{last}")
            sheet.data_validations.append(validation)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _print_setup(sheet: Any) -> None:
    """Landscape A4 pages with gridlines, as wide as the sheet's columns (as many pages down as the rows take), the
    header row printed at the top of each. Set before the first row (the sheet's properties are
    written with its first row)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = PAPER_SIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.gridLines = True
    sheet.print_title_rows = "1:1"


def _write_notes(book: Workbook, spec: SheetSpec, notes: Sequence[str]) -> None:
    sheet = book.create_sheet("填写说明")
    for letter, width in zip("ABCD", (24, 8, 60, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    header = []
    for title in ("列名", "必填", "填写要求", "可选值"):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        header.append(cell)
    sheet.append(header)
    for column in spec.columns:
        hint = "（仅导出，导入时忽略）" + column.hint if column.export_only else column.hint
        sheet.append([column.header, "是" if column.required else "", hint, "、".join(column.choices)])
    sheet.append([])
    for note in (*notes, "带 * 的列必填；列的顺序可以调整；空行会被跳过。",
                 "导入时逐行检查，任何一行有误则全部不导入，并列出所有错误的行号和列名。"):
        sheet.append([note])
