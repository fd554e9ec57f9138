"""``orch-tui sessions-csv``: every session of the history as one CSV row."""

from __future__ import annotations

import csv
import sys

import click


@click.command("sessions-csv")
@click.option("--limit", default=1000, show_default=True, help="How many sessions, newest first.")
def sessions_csv(limit: int) -> None:
    """Print the history's sessions as CSV (id, title, kind, status, created)."""
    from orchestrator_tui.cli.common import run_async
    from orchestrator_tui.services import open_services

    async def rows() -> list[tuple[str, str, str, str, float]]:
        services = await open_services()
        try:
            page = await services.sessions.page(limit=limit)
            return [(r.id, r.title, r.kind, r.status, r.created_at) for r in page.rows]
        finally:
            await services.aclose()

    writer = csv.writer(sys.stdout)
    writer.writerow(("id", "title", "kind", "status", "created"))
    writer.writerows(run_async(rows()))
