"""Load a real address register from CSV into the table named by TABLE_NAME.

    python -m infra.import_addresses FILE.csv [--dry-run] [--batch 500]

Columns: street, house, building, clinic id (a header row is recognised and skipped; `,`, `;` or tab; UTF-8,
with or without BOM). Example: `ул. Садовая;10;к2;cl0101`. `building` may be empty, `2` (корпус 2),
`к2`, `корп. 2`, `лит. А`, `стр. 1`. The street's district is the clinic's district.

Every row is checked before anything is written; rejected rows are listed with their line numbers and
reasons, and the accepted ones are written in batches (shared.platform.dal.batch_write retries what DynamoDB leaves
unprocessed). Rows naming the same house are merged (a house served by several clinics). Re-running is
safe: items are overwritten, never duplicated. Exit code 0 when every row was accepted and written,
1 when some rows were rejected (the accepted ones are still written), 2 when a batch could not be written
(the lines it held are listed: run the same file again).
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.catalogue import address_register, address_text
from shared.platform import dal, keys

HEADER_WORDS = {"street", "улица", "ulitsa"}


@dataclass
class Report:
    accepted: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    written: int = 0
    unwritten_lines: list[int] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    lines_of: list[list[int]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"rows accepted: {self.accepted}, rejected: {len(self.rejected)}, items written: {self.written}"]
        out += [f"line {n}: {reason}" for n, reason in self.rejected]
        if self.unwritten_lines:
            out.append("NOT WRITTEN (run the file again), lines: " + ", ".join(map(str, self.unwritten_lines)))
        return out


def _rows(text: str) -> list[tuple[int, list[str]]]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    out = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        out.append((reader.line_num, [cell.strip() for cell in row]))
    if out and out[0][1] and out[0][1][0].lower() in HEADER_WORDS:
        out = out[1:]
    return out


def _house(house: str, building: str) -> address_text.House | None:
    building = building.strip()
    if building.isdigit():
        building = f"к{building}"  # a bare number in the building column is the корпус
    return address_text.parse_house(f"{house} {building}")


class _Rejected(Exception):
    """A row refused; its text is the reason the report lists."""


@dataclass(frozen=True)
class _Row:
    """An accepted row, read: the street as written, the street and the house as understood, the clinic id."""

    name: str
    street: address_text.StreetQuery
    house: address_text.House
    clinic_id: str


def _read_row(row: list[str]) -> _Row:
    """One row read and checked (everything but whether the clinic exists); _Rejected with the reason."""
    if len(row) not in (3, 4):
        raise _Rejected(f"expected 4 columns (street, house, building, clinic id), got {len(row)}")
    street, house, building, clinic_id = row if len(row) == 4 else (row[0], row[1], "", row[2])
    parsed_street = address_text.parse_street(street)
    if parsed_street is None:
        raise _Rejected("street has no name")
    if address_text.parse_house(house) is None:
        raise _Rejected(f"house number not understood: {house!r}")
    parsed_house = _house(house, building)
    if parsed_house is None:
        raise _Rejected(f"building not understood: {building!r}")
    if not keys.valid_clinic_id(clinic_id):
        raise _Rejected(f"malformed clinic id: {clinic_id!r}")
    return _Row(street, parsed_street, parsed_house, clinic_id)


@dataclass
class _Merged:
    """The accepted rows merged: a street per (street, district), a house per (street, district, number,
    building) with every clinic serving it; each with the lines it came from."""

    streets: dict[tuple[str, str], tuple[str, dict[str, Any], list[int]]] = field(default_factory=dict)
    houses: dict[tuple[str, str, int, str], tuple[address_text.House, list[str], list[int]]] = field(
        default_factory=dict)

    def add(self, line: int, row: _Row, clinic: dict[str, Any]) -> None:
        district_id = clinic["districtId"]
        self.streets.setdefault((row.street.key, district_id), (row.name, clinic, []))[2].append(line)
        house_at = (row.street.key, district_id, row.house.number, row.house.building)
        merged = self.houses.setdefault(house_at, (row.house, [], []))
        if row.clinic_id not in merged[1]:
            merged[1].append(row.clinic_id)
        merged[2].append(line)

    def write_into(self, report: Report) -> None:
        """The register's items (streets first, then houses) and the lines of each."""
        for (_key, district_id), (name, clinic, lines) in self.streets.items():
            for item in address_register.street_items(name, district_id, clinic.get("districtName", district_id),
                                                      clinic.get("districtNameEn")):
                report.items.append(item)
                report.lines_of.append(lines)
        for (key, district_id, _n, _b), (parsed, clinic_ids, lines) in self.houses.items():
            report.items.append(address_register.house_item(key, district_id, parsed, clinic_ids))
            report.lines_of.append(lines)


def prepare(text: str, clinic_profile: Any = None) -> Report:
    """Check every row and build the items (nothing is written here). `clinic_profile(id)` -> item or None."""
    clinic_profile = clinic_profile or (lambda cid: dal.get(keys.key(keys.clinic_pk(cid), keys.PROFILE)))
    clinics: dict[str, dict[str, Any] | None] = {}
    report = Report()
    merged = _Merged()
    for line, cells in _rows(text):
        try:
            row = _read_row(cells)
        except _Rejected as rejected:
            report.rejected.append((line, str(rejected)))
            continue
        if row.clinic_id not in clinics:
            clinics[row.clinic_id] = clinic_profile(row.clinic_id)
        clinic = clinics[row.clinic_id]
        if not clinic:
            report.rejected.append((line, f"unknown clinic id: {row.clinic_id}"))
            continue
        report.accepted += 1
        merged.add(line, row, clinic)
    merged.write_into(report)
    return report


def write(report: Report, batch: int = 500) -> Report:
    """Write the prepared items in batches; a batch that fails leaves its lines listed as not written."""
    unwritten: set[int] = set()
    for start in range(0, len(report.items), batch):
        chunk = report.items[start:start + batch]
        try:
            dal.batch_write(chunk)
        except Exception as exc:  # noqa: BLE001 - reported with the lines it held, then the next batch
            print(f"batch {start // batch + 1} failed: {type(exc).__name__}", file=sys.stderr)
            for lines in report.lines_of[start:start + batch]:
                unwritten.update(lines)
            continue
        report.written += len(chunk)
    report.unwritten_lines = sorted(unwritten)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.import_addresses", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--dry-run", action="store_true", help="check the rows, write nothing")
    parser.add_argument("--batch", type=int, default=500, help="items per batch (written 25 per request)")
    args = parser.parse_args(argv)
    report = prepare(args.file.read_text(encoding="utf-8-sig"))
    if not args.dry_run:
        write(report, args.batch)
    for line in report.lines():
        print(line)
    if report.unwritten_lines:
        return 2
    return 1 if report.rejected else 0


if __name__ == "__main__":
    sys.exit(main())
