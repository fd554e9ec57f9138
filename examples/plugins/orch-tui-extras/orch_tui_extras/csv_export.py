"""``history export -f csv``: one row per interaction, for a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from orchestrator_tui.store.detail import SessionDetail

COLUMNS = ("session", "title", "interaction", "type", "model", "status", "content")


class CsvExport:
    suffix = ".csv"
    description = "one row per interaction, for a spreadsheet"

    @staticmethod
    def render(details: Sequence[SessionDetail]) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for detail in details:
            for item in detail.interactions:
                writer.writerow(
                    (
                        detail.session.id,
                        detail.session.title,
                        item.id,
                        item.type,
                        item.model or "",
                        item.status,
                        item.content,
                    )
                )
        return out.getvalue()
