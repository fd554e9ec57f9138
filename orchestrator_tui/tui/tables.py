"""Tables a person moves through row by row: the history, its search hits, the stats, the keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable


def row_table(
    table_id: str,
    columns: Iterable[tuple[str, int]],
    *,
    zebra: bool = False,
    kind: type[DataTable[Any]] = DataTable,
) -> DataTable[Any]:
    """A table (of class ``kind``) with a row cursor and these ``(label, width)`` columns."""
    table: DataTable[Any] = kind(id=table_id, cursor_type="row", zebra_stripes=zebra)
    for label, width in columns:
        table.add_column(label, width=width)
    return table
