"""Independent re-implementations the tests compare the warehouse against."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from pathlib import Path


def identifier_hash(salt: str, identifier_type: str, value: str) -> str:
    """The documented hashing rule, written again in Python: sha256("salt|type|value")."""
    return hashlib.sha256(f"{salt}|{identifier_type}|{value}".encode()).hexdigest()


def count_lines(files: list[Path]) -> int:
    total = 0
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            total += sum(1 for _ in handle)
    return total


def distinct_message_ids(files: list[Path]) -> int:
    ids: set[str] = set()
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                try:
                    ids.add(json.loads(line)["messageId"])
                except (json.JSONDecodeError, KeyError):
                    continue
    return len(ids)


def count_csv_records(files: list[Path]) -> int:
    total = 0
    for path in files:
        with path.open(newline="", encoding="utf-8") as handle:
            total += max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    return total


ENTITY_FILES = {
    ("web", "events"): "web/*/*.jsonl.gz",
    ("app", "events"): "app/*/*.jsonl.gz",
    ("crm", "contacts"): "crm/contacts/*.csv",
    ("crm", "email_events"): "crm/email_events/*.csv",
    ("pos", "stores"): "pos/stores/*.csv",
    ("pos", "transactions"): "pos/transactions/*.csv",
    ("pos", "transaction_lines"): "pos/transaction_lines/*.csv",
    ("ads", "spend"): "ads/spend/*.csv",
    ("surveys", "nps_responses"): "surveys/*.csv",
}

STAGING_MODEL = {
    ("web", "events"): "stg_web__events",
    ("app", "events"): "stg_app__events",
    ("crm", "contacts"): "stg_crm__contacts",
    ("crm", "email_events"): "stg_crm__email_events",
    ("pos", "stores"): "stg_pos__stores",
    ("pos", "transactions"): "stg_pos__transactions",
    ("pos", "transaction_lines"): "stg_pos__transaction_lines",
    ("ads", "spend"): "stg_ads__spend",
    ("surveys", "nps_responses"): "stg_surveys__nps_responses",
}


def raw_rows(landing: Path, source: str, entity: str) -> int:
    files = sorted(landing.glob(ENTITY_FILES[(source, entity)]))
    if source in ("web", "app"):
        return count_lines(files)
    return count_csv_records(files)
