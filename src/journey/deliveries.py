"""A landing zone cut into the deliveries a real team receives: a first bulk
of history, then a delivery a day (or one for several days, after an outage).

Each delivery is a folder in the landing zone's shape holding only the files
that arrive with it; `deliver` copies one into a live zone. The union of the
deliveries holds every row of the zone it was cut from (the spend rows of
every day but the last at their final values, the contacts as in its last
snapshot), so a full build on the delivered files is what the daily builds
must equal.

What a file of day D is, and the delivery it comes in (the first delivery on
or after D):
- web/date=D/: the web partition of day D. app/date=D/ comes a day late,
  with the delivery on or after D+1 (its events, received on D, occurred up
  to days before); the last delivery brings its own day's too.
- pos/transactions/ and pos/transaction_lines/: the store files of day D.
- crm/email_events/, surveys/, affiliates/commissions/: one file a day
  (`<name>_D.csv`), the rows of day D (occurred_at, submitted_at,
  updated_at: a restated commission comes on the day it was restated).
- ads/spend/spend_D.csv: day D at preliminary values (90% of the spend) and
  day D-1 restated at its final values: the later file replaces the earlier.
- crm/contacts/: on each delivery's day, a full snapshot with the erasures
  made by the end of that day (the zone's own snapshots on their days).
- costs/costs_YYYY-MM.csv: on the first day of the next month.
- pos/stores/, catalog/products/ and files outside these shapes (an unknown
  folder, a vendor bucket layout): in the first delivery.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

# CSV folders cut into daily files: the column that dates a row.
DAILY_CSV = {
    "crm/email_events": "occurred_at",
    "surveys": "submitted_at",
    "affiliates/commissions": "updated_at",
    "ads/spend": "date",
}
PRELIMINARY_SPEND_SHARE = 0.9
DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")
MONTH = re.compile(r"_(\d{4})-(\d{2})\.csv$")


@dataclass(frozen=True)
class Plan:
    """The days deliveries arrive on, in order: the first brings every file
    up to its day, each next one the files of the days after the one before."""

    days: tuple[date, ...]

    @property
    def first(self) -> date:
        return self.days[0]

    @property
    def last(self) -> date:
        return self.days[-1]

    def arrival(self, day: date) -> date:
        """The delivery a file of this day comes in."""
        return next((d for d in self.days if d >= day), self.last)


def _day(text: str) -> date | None:
    found = DAY.search(text)
    try:
        return date.fromisoformat(found.group(1)) if found else None
    except ValueError:
        return None


def _file_arrival(plan: Plan, rel: Path) -> date:
    """The delivery day of a file copied whole."""
    text = rel.as_posix()
    if text.startswith(("web/date=", "app/date=", "pos/transactions/", "pos/transaction_lines/")):
        day = _day(text)
        if day is None:
            return plan.first
        if text.startswith("app/") and day < plan.last:
            day += timedelta(1)  # a day late: with the next delivery
        return plan.arrival(day)
    if text.startswith("crm/contacts/"):
        return plan.arrival(_day(text) or plan.first)
    month = MONTH.search(text) if text.startswith("costs/") else None
    if month:
        year, mon = int(month.group(1)), int(month.group(2))
        return plan.arrival(date(year + mon // 12, mon % 12 + 1, 1))
    return plan.first


def _csv_rows(path: Path) -> Iterator[list[str]]:
    with path.open(newline="", encoding="utf-8", errors="surrogateescape") as handle:
        yield from csv.reader(handle)


class _DailyWriter:
    """One CSV file a day (`<prefix>_<day>.csv`), each with the source file's
    header, in the delivery that day arrives in."""

    def __init__(self, plan: Plan, out: Path, folder: str, prefix: str, header: list[str]) -> None:
        self.plan, self.out, self.folder, self.prefix, self.header = plan, out, folder, prefix, header
        self.handles: dict[date, tuple[object, object]] = {}

    def write(self, day: date, row: list[str]) -> None:
        if day not in self.handles:
            delivery = f"delivery-{self.plan.arrival(day).isoformat()}"
            path = self.out / delivery / self.folder / f"{self.prefix}_{day.isoformat()}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a", newline="", encoding="utf-8", errors="surrogateescape")
            writer = csv.writer(handle, lineterminator="\n")
            if handle.tell() == 0:
                writer.writerow(self.header)
            self.handles[day] = (handle, writer)
        self.handles[day][1].writerow(row)  # type: ignore[attr-defined]

    def close(self) -> None:
        for handle, _ in self.handles.values():
            handle.close()  # type: ignore[attr-defined]


def _split_csv(plan: Plan, landing: Path, out: Path, folder: str, column: str) -> None:
    """Cut a folder's CSV files into one file per delivery day; a row whose
    date cannot be read stays with the row before it."""
    for path in sorted((landing / folder).glob("*.csv")):
        rows = _csv_rows(path)
        header = next(rows, None)
        if header is None or column not in header:
            _copy(path, out / f"delivery-{plan.first.isoformat()}" / folder / path.name)
            continue
        prefix = path.stem.split("_20")[0]
        at = header.index(column)
        writer = _DailyWriter(plan, out, folder, prefix, header)
        previous = plan.first
        for row in rows:
            day = _day(row[at]) if at < len(row) else None
            day = previous if day is None else day
            previous = day
            if folder == "ads/spend":
                _write_spend(plan, writer, header, row, day)
            else:
                writer.write(day, row)
        writer.close()


def _write_spend(plan: Plan, writer: _DailyWriter, header: list[str], row: list[str], day: date) -> None:
    """A spend row arrives first at preliminary values, in its own day's file,
    then restated at its final values in the next day's file (the last day
    stays preliminary)."""
    at = header.index("spend") if "spend" in header else None
    preliminary = list(row)
    try:
        if at is not None:
            preliminary[at] = f"{float(row[at]) * PRELIMINARY_SPEND_SHARE:.2f}"
    except (ValueError, IndexError):
        pass  # an unreadable spend is delivered as it is
    if day >= plan.last or at is None:
        writer.write(day, row)
        return
    writer.write(day, preliminary)
    writer.write(day + timedelta(1), row)


def _daily_snapshots(plan: Plan, landing: Path, out: Path) -> None:
    """A contacts snapshot for each delivery day the zone has none for: the
    zone's last snapshot with the erasures made by the end of that day (every
    contact, as the events and surveys delivered by then may name a contact
    the simulator created later)."""
    snapshots = sorted((landing / "crm" / "contacts").glob("contacts_*.csv"))
    dated = {_day(p.name) for p in snapshots}
    if not snapshots:
        return
    rows = list(_csv_rows(snapshots[-1]))
    header, body = rows[0], rows[1:]
    if "erased_at" not in header:
        return
    erased = header.index("erased_at")
    for day in plan.days:
        if day in dated:
            continue
        path = out / f"delivery-{day.isoformat()}" / "crm" / "contacts" / f"contacts_{day.isoformat()}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8", errors="surrogateescape") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            for row in body:
                gone = _day(row[erased]) if erased < len(row) else None
                if gone is not None and gone > day:
                    row = [*row[:erased], "", *row[erased + 1 :]]
                writer.writerow(row)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def cut_deliveries(landing: Path, out: Path, days: list[date]) -> list[Path]:
    """Cut a landing zone into deliveries under out/delivery-<day>/, one on
    each of `days`: the first holds everything up to its day, each next one
    the days after the one before (one day, or several after an outage).
    Files of days after the last come with the last. Returns the delivery
    folders in order."""
    plan = Plan(tuple(sorted(days)))
    if out.exists():
        shutil.rmtree(out)
    for folder, column in DAILY_CSV.items():
        if (landing / folder).is_dir():
            _split_csv(plan, landing, out, folder, column)
    for path in sorted(p for p in landing.rglob("*") if p.is_file()):
        rel = path.relative_to(landing)
        if any(rel.as_posix().startswith(folder + "/") for folder in DAILY_CSV):
            continue
        _copy(path, out / f"delivery-{_file_arrival(plan, rel).isoformat()}" / rel)
    _daily_snapshots(plan, landing, out)
    folders = [out / f"delivery-{day.isoformat()}" for day in plan.days]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


def deliver(delivery: Path, zone: Path) -> list[Path]:
    """Copy a delivery's files into a live landing zone (a file already there
    is replaced, as a re-delivery does). Returns the files written."""
    written = []
    for path in sorted(p for p in delivery.rglob("*") if p.is_file()):
        target = zone / path.relative_to(delivery)
        _copy(path, target)
        written.append(target)
    return written
