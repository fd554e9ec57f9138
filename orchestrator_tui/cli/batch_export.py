"""``batch export``: one line per item, JSONL or CSV, written as the items are read."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from typing import IO

from orchestrator_tui.store.batches import ItemRow

COLUMNS = (
    "item",
    "line",
    "status",
    "inputs",
    "output",
    "score",
    "quality",
    "input_tokens",
    "output_tokens",
    "cost",
    "error",
    "attempts",
    "session_id",
    "details",
)


def item_record(row: ItemRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in COLUMNS}


async def write_items(items: AsyncIterator[ItemRow], out: IO[str], fmt: str) -> int:
    """Write every item; how many. CSV cells holding objects (inputs, details) are JSON."""
    count = 0
    writer = csv.writer(out) if fmt == "csv" else None
    if writer is not None:
        writer.writerow(COLUMNS)
    async for row in items:
        record = item_record(row)
        if writer is None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            writer.writerow(
                [
                    json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v
                    for v in record.values()
                ]
            )
        count += 1
    return count
