"""Full-text search over prompts and answers, fast enough to run on every key press.

Prompt matches come first (a small prompt-only index answers them), then matches in answers,
reviews and syntheses; each group newest first. Ordering by rowid lets FTS5 stop after ``limit``
rows: ranking a common word's hundreds of thousands of matches by relevance would take seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestrator_tui.store.db import Database
from orchestrator_tui.store.listing import SessionFilter

OPEN, CLOSE = "\x02", "\x03"
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class SearchHit:
    session_id: str
    session_title: str
    interaction_id: str
    type: str
    model: str | None
    excerpt: str
    """Plain text around the match; ``highlights`` are the matched ranges in it."""
    highlights: tuple[Span, ...] = ()
    created_at: float = 0.0

    @property
    def snippet(self) -> str:
        """The excerpt with matches in brackets: ``And the [checkpoint]?``."""
        return self.marked()

    def marked(self, before: str = "[", after: str = "]") -> str:
        """The excerpt with each match wrapped, for plain-text output."""
        return "".join(f"{before}{part}{after}" if hit else part for part, hit in self.parts())

    def parts(self) -> list[tuple[str, bool]]:
        """The excerpt in pieces, each with whether it is a match (to style each on its own)."""
        out, last = [], 0
        for start, end in self.highlights:
            out += [(self.excerpt[last:start], False), (self.excerpt[start:end], True)]
            last = end
        out.append((self.excerpt[last:], False))
        return [(part, hit) for part, hit in out if part]


def fts_query(text: str) -> str:
    """User words as an FTS5 query: every word must match, the last one as a prefix.

    A one-letter last word is not a prefix (every word starting with "t" is no search): after
    other words it is left out until a second letter comes, alone it matches only itself.
    """
    words = re.findall(r"\w+", text)
    if len(words) > 1 and len(words[-1]) == 1:
        words.pop()
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    if len(words[-1]) > 1:
        quoted[-1] += "*"
    return " ".join(quoted)


async def search(
    db: Database, text: str, flt: SessionFilter = SessionFilter(), *, limit: int = 50
) -> list[SearchHit]:
    query = fts_query(text)
    if not query:
        return []
    hits = await _search_index(db, "prompts_fts", query, flt, limit, "")
    if len(hits) < limit:
        others = await _search_index(
            db, "interactions_fts", query, flt, limit - len(hits), "AND i.type != 'prompt'"
        )
        hits += others
    return hits


async def _search_index(
    db: Database, index: str, query: str, flt: SessionFilter, limit: int, extra: str
) -> list[SearchHit]:
    where, params = flt.where()
    rows = await db.fetchall(
        "SELECT i.session_id, s.title, i.id, i.type, i.model, i.created_at,"
        f" snippet({index}, 0, '{OPEN}', '{CLOSE}', '…', 16) AS snippet"
        f" FROM {index} JOIN interactions i ON i.seq = {index}.rowid"
        " JOIN sessions s ON s.id = i.session_id"
        f" WHERE {index} MATCH ? {extra} AND {where}"
        f" ORDER BY {index}.rowid DESC LIMIT ?",
        [query, *params, limit],
    )
    hits = []
    for row in rows:
        plain, spans = split_marks(row["snippet"])
        hits.append(
            SearchHit(
                row["session_id"],
                row["title"],
                row["id"],
                row["type"],
                row["model"],
                plain,
                spans,
                row["created_at"],
            )
        )
    return hits


def split_marks(marked: str) -> tuple[str, tuple[Span, ...]]:
    """Text with ``OPEN``/``CLOSE`` marks → plain text and the marked ranges; newlines become spaces."""
    plain: list[str] = []
    spans: list[Span] = []
    length, start = 0, 0
    for piece in re.split(f"([{OPEN}{CLOSE}])", marked):
        if piece == OPEN:
            start = length
        elif piece == CLOSE:
            spans.append((start, length))
        else:
            piece = re.sub(r"\s", " ", piece)
            plain.append(piece)
            length += len(piece)
    return "".join(plain), tuple(spans)
