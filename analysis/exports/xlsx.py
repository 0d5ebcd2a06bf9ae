"""XLSX exports in constant memory: rows stream into the file a block at a time.

An .xlsx file is a zip of XML parts. The small parts (workbook, styles, relationships) are
fixed text; the responses sheet is written as a stream into the zip, one block of
`CHUNK_ROWS` rows at a time (`analysis.exports.sheet_xml` builds a block's XML a column at a
time), so memory holds one block however many sessions there are. Strings are always
written as strings (inline), never read as formulas, links or numbers; text starting like a
formula gets a leading `'` (`bot.spreadsheet.neutralise`'s rule). Times are UTC without a
zone, shown as yyyy-mm-dd hh:mm:ss. The codebook is the second sheet.

Before: xlsxwriter in constant-memory mode, one `write_row` per session: 17 s for 157,596
sessions, nearly all of it per-cell Python inside the library (docs/performance.md).
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.exports.sheet_xml import dimension, rows_xml
from analysis.exports.table import ExportTable
from analysis.exports.writers import CHUNK_ROWS, CODEBOOK_COLUMNS, Progress, codebook_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEETS = ("responses", "codebook")
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.styles+xml"/>'
    + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
              f'ContentType="{OFFICE}.worksheet+xml"/>' for n in range(1, len(SHEETS) + 1))
    + "</Types>"
)  # fmt: skip
ROOT_RELS = (
    XML + f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
    f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    XML + f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
    + "".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>'
              for n, name in enumerate(SHEETS, start=1))
    + "</sheets></workbook>"
)  # fmt: skip
WORKBOOK_RELS = (
    XML + f'<Relationships xmlns="{PACKAGE}">'
    + "".join(f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}/worksheet" '
              f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(SHEETS) + 1))
    + f'<Relationship Id="rId{len(SHEETS) + 1}" Type="{RELATIONSHIPS}/styles" '
    'Target="styles.xml"/></Relationships>'
)  # fmt: skip
# Cell format 0 is the default, 1 the date-and-time format (sheet_xml.DATE_STYLE).
STYLES = (
    XML + f'<styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" '
    'xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
SHEET_OPEN = XML + f'<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
SHEET_CLOSE = "</sheetData></worksheet>"
ZIP64_FROM = 1 << 30  # a sheet part that may pass the classic zip limits needs Zip64
COMPRESS_LEVEL = 1  # deflate's fastest level: a third larger than level 6, twice as fast


def write_xlsx(export: ExportTable, target: Path, progress: Progress | None = None) -> None:
    """Responses on the first sheet, the codebook on the second."""
    frame = export.frame
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as book:
        for name, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("xl/workbook.xml", WORKBOOK),
                           ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                           ("xl/styles.xml", STYLES)):  # fmt: skip
            book.writestr(name, text)
        large = len(frame) * max(1, frame.shape[1]) * 120 > ZIP64_FROM
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=large) as sheet:
            opening = SHEET_OPEN + dimension(len(frame) + 1, frame.shape[1]) + "<sheetData>"
            sheet.write(opening.encode())
            sheet.write(rows_xml(_header(list(frame.columns)), 1).encode())
            for start in range(0, len(frame), CHUNK_ROWS):
                part = frame.iloc[start : start + CHUNK_ROWS]
                sheet.write(rows_xml(part, start + 2).encode())
                if progress is not None:
                    progress(len(part))
            sheet.write(SHEET_CLOSE.encode())
        codebook = pd.DataFrame(list(codebook_rows(export)), columns=CODEBOOK_COLUMNS,
                                dtype=object)  # fmt: skip
        text = rows_xml(_header(CODEBOOK_COLUMNS), 1) + rows_xml(codebook, 2)
        size = dimension(len(codebook) + 1, len(CODEBOOK_COLUMNS))
        book.writestr("xl/worksheets/sheet2.xml",
                      SHEET_OPEN + size + "<sheetData>" + text + SHEET_CLOSE)  # fmt: skip


def _header(names: Sequence[object]) -> pd.DataFrame:
    """Column names as one row of text cells."""
    return pd.DataFrame([[str(name) for name in names]], dtype=object)
