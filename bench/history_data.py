"""A large, plausible history database for ``bench/history.py``: fast bulk inserts, Zipf-like text.

Sessions are written oldest first (as a real history grows), each with one to three prompts, two to
four answers per prompt, reviews with scores, and one request row per answer. Words follow a Zipf
law over common English, technical terms and made-up names, so full-text search sees the same
mix of very common and very rare words a real history has.
"""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

COMMON = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "is",
    "it",
    "that",
    "for",
    "on",
    "with",
    "as",
    "this",
    "be",
    "are",
    "by",
    "or",
    "not",
    "you",
    "can",
    "from",
    "at",
    "an",
    "have",
    "we",
    "which",
    "your",
    "use",
    "will",
    "if",
    "more",
    "one",
    "all",
    "but",
    "when",
    "what",
    "there",
    "so",
    "how",
    "their",
    "they",
    "do",
    "also",
    "each",
    "only",
    "into",
    "than",
    "then",
    "about",
    "other",
    "some",
    "these",
    "first",
    "new",
    "most",
    "time",
    "way",
    "need",
    "make",
    "like",
    "just",
    "where",
    "two",
    "because",
    "should",
    "data",
    "value",
    "code",
    "file",
    "system",
    "user",
    "model",
    "answer",
    "example",
    "using",
    "first",
    "step",
]
TECHNICAL = [
    "database",
    "index",
    "query",
    "cache",
    "latency",
    "thread",
    "memory",
    "server",
    "client",
    "request",
    "response",
    "token",
    "stream",
    "python",
    "rust",
    "function",
    "class",
    "module",
    "package",
    "compiler",
    "parser",
    "schema",
    "table",
    "column",
    "transaction",
    "kernel",
    "network",
    "socket",
    "protocol",
    "buffer",
    "queue",
    "worker",
    "scheduler",
    "vector",
    "matrix",
    "gradient",
    "tensor",
    "training",
    "inference",
    "embedding",
    "prompt",
    "context",
    "window",
    "benchmark",
    "profile",
    "deploy",
    "container",
    "cluster",
    "replica",
    "shard",
    "partition",
    "lock",
    "mutex",
    "async",
    "await",
    "future",
    "promise",
    "callback",
    "closure",
    "iterator",
    "generator",
    "decorator",
    "type",
    "generic",
    "trait",
    "interface",
    "pointer",
    "reference",
    "allocation",
    "garbage",
    "collector",
    "heap",
    "stack",
    "frame",
    "register",
    "instruction",
    "pipeline",
    "branch",
    "prediction",
    "encryption",
    "signature",
    "certificate",
    "key",
    "hash",
    "checksum",
    "compression",
    "encoding",
    "unicode",
    "parsing",
    "regression",
    "classifier",
    "recall",
    "precision",
    "accuracy",
    "dataset",
    "feature",
    "label",
    "sample",
    "batch",
    "epoch",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ren",
    "tor",
    "vex",
    "qua",
    "zin",
    "bel",
    "dor",
    "fu",
    "gra",
    "hin",
    "jo",
    "lun",
    "mar",
    "nex",
    "ost",
    "pel",
    "rus",
    "sa",
    "tiv",
    "ul",
    "wen",
]
MODELS = (
    ("anthropic:claude-sonnet-4-5", 3.0, 15.0),
    ("gemini:gemini-2.5-flash", 0.3, 2.5),
    ("mistral:mistral-small-latest", 0.1, 0.3),
    ("openai:gpt-4.1-mini", 0.4, 1.6),
    ("deepseek:deepseek-chat", 0.27, 1.1),
    ("anthropic:claude-haiku-4-5", 1.0, 5.0),
    ("ollama:llama3.2", 0.0, 0.0),
    ("mock:lorem", 0.0, 0.0),
)
REVIEWER = "gemini:gemini-2.5-flash"
KINDS = ("compare", "compare", "compare", "chat", "chain", "conversation")
YEARS = 2 * 365 * 86400.0


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """Common words first, then technical terms, then made-up names: rank ``i`` has weight 1/(i+1)."""
    made_up = {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(size * 2)}
    words = list(dict.fromkeys(COMMON + TECHNICAL))
    words += sorted(made_up - set(words))[: size - len(words)]
    return words


class Text:
    """Texts made of sentences from a large pool drawn from the vocabulary: cheap at a million rows."""

    def __init__(self, vocab: list[str], rng: random.Random, pool: int = 150_000) -> None:
        self.rng = rng
        cum = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(vocab))))
        picked = rng.choices(vocab, cum_weights=cum, k=pool * 11)
        self.sentences = []
        start = 0
        for _ in range(pool):
            size = rng.randint(6, 16)
            sentence = " ".join(picked[start : start + size])
            self.sentences.append(sentence[:1].upper() + sentence[1:] + ".")
            start += size
            if start + 16 > len(picked):
                start = 0

    def words(self, n: int) -> str:
        """About ``n`` words (whole sentences)."""
        return " ".join(self.rng.choices(self.sentences, k=max(1, n // 11)))


@dataclass
class Built:
    sessions: int
    interactions: int
    seconds: float
    long_session: str
    rare_words: list[str]


def build(path: Path, sessions: int, *, seed: int = 7, long_turns: int = 40) -> Built:
    """Fill a migrated, empty database at ``path``; one extra session has ``long_turns`` * 5 rows."""
    started = time.perf_counter()
    rng = random.Random(seed)
    vocab = vocabulary(30_000, rng)
    text = Text(vocab, rng)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    seq = itertools.count(1)
    counts = {"interactions": 0}
    now = time.time()
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'interactions'"
    ).fetchall()
    for name, _sql in triggers:  # indexing once at the end is several times faster
        conn.execute(f"DROP TRIGGER {name}")
    batch = _Batch(conn)
    for number in range(sessions):
        created = now - YEARS + YEARS * number / sessions
        turns = rng.choice((1, 2, 2, 3))
        models = rng.sample(MODELS, rng.choice((2, 3, 3, 4)))
        _session(batch, text, rng, seq, counts, created, turns, models, reviews=rng.randint(1, 4))
        batch.maybe_commit()
    long_id = _session(
        batch, text, rng, seq, counts, now, long_turns, MODELS[:3], reviews=long_turns
    )
    batch.commit()
    with conn:
        conn.execute("INSERT INTO interactions_fts(interactions_fts) VALUES ('rebuild')")
        conn.execute(
            "INSERT INTO prompts_fts(rowid, content)"
            " SELECT seq, content FROM interactions WHERE type = 'prompt'"
        )
        for _name, sql in triggers:
            conn.execute(sql)
    conn.execute("ANALYZE")
    conn.close()
    rare = vocab[-400:-390]
    return Built(sessions + 1, counts["interactions"], time.perf_counter() - started, long_id, rare)


class _Batch:
    """Rows gathered per table and written with ``executemany`` in large transactions."""

    SQL = {
        "sessions": "INSERT INTO sessions (id, title, kind, status, chain_name, created_at,"
        " updated_at, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        "interactions": "INSERT INTO interactions (seq, id, session_id, parent_id, step_id, type,"
        " model, content, status, error, created_at, finished_at, metadata)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "requests": "INSERT INTO requests (session_id, interaction_id, provider, model, params,"
        " attempt, status, error_kind, error, input_tokens, output_tokens, ttft, latency, cost,"
        " cached, created_at) VALUES (?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
        "reviews": "INSERT INTO reviews (session_id, interaction_id, reviewer, score, feedback,"
        " suggestions, created_at) VALUES (?, ?, ?, ?, ?, '[]', ?)",
    }

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.rows: dict[str, list[tuple]] = {name: [] for name in self.SQL}

    def maybe_commit(self) -> None:
        if len(self.rows["interactions"]) >= 50_000:
            self.commit()

    def commit(self) -> None:
        with self.conn:
            for name, rows in self.rows.items():
                self.conn.executemany(self.SQL[name], rows)
                rows.clear()


def _session(
    batch: _Batch,
    text: Text,
    rng: random.Random,
    seq: itertools.count,
    counts: dict[str, int],
    created: float,
    turns: int,
    models: list[tuple[str, float, float]],
    reviews: int,
) -> str:
    session_id = f"{rng.getrandbits(128):032x}"
    at = created
    answers: list[tuple[str, str]] = []
    title = ""
    parent = None
    rows = batch.rows
    for turn in range(turns):
        prompt = text.words(rng.randint(8, 30))
        title = title or prompt[:60]
        prompt_id = f"{rng.getrandbits(128):032x}"
        rows["interactions"].append(
            (
                next(seq),
                prompt_id,
                session_id,
                parent,
                None,
                "prompt",
                None,
                prompt,
                "ok",
                None,
                at,
                at,
                "{}",
            )
        )
        parent = prompt_id
        for model, price_in, price_out in models:
            answer_id = f"{rng.getrandbits(128):032x}"
            ok = rng.random() > 0.03
            tokens_in, tokens_out = rng.randint(20, 400) * (turn + 1), rng.randint(40, 600)
            ttft, latency = rng.lognormvariate(-0.5, 0.6), rng.lognormvariate(1.5, 0.5)
            cost = (tokens_in * price_in + tokens_out * price_out) / 1e6
            usage = {
                "input_tokens": tokens_in,
                "output_tokens": tokens_out,
                "ttft": ttft,
                "latency": latency,
                "cost": cost,
                "attempts": 1,
            }
            rows["interactions"].append(
                (
                    next(seq),
                    answer_id,
                    session_id,
                    prompt_id,
                    None,
                    "response",
                    model,
                    text.words(rng.randint(25, 90)),
                    "ok" if ok else "failed",
                    None if ok else "the server is overloaded",
                    at,
                    at + latency,
                    json.dumps(usage),
                )
            )
            rows["requests"].append(
                (
                    session_id,
                    answer_id,
                    model.partition(":")[0],
                    model,
                    1,
                    "ok" if ok else "failed",
                    None if ok else "overloaded",
                    None if ok else "the server is overloaded",
                    tokens_in,
                    tokens_out,
                    ttft,
                    latency,
                    cost,
                    at,
                )
            )
            answers.append((answer_id, model))
        at += rng.uniform(20, 600)
    for answer_id, _model in rng.sample(answers, min(reviews, len(answers))):
        score = round(rng.betavariate(5, 2), 2)
        review_id = f"{rng.getrandbits(128):032x}"
        feedback = text.words(rng.randint(10, 25))
        rows["interactions"].append(
            (
                next(seq),
                review_id,
                session_id,
                answer_id,
                None,
                "review",
                REVIEWER,
                json.dumps({"score": score, "feedback": feedback}),
                "ok",
                None,
                at,
                at + 1,
                "{}",
            )
        )
        rows["reviews"].append((session_id, answer_id, REVIEWER, score, feedback, at))
    kind = rng.choice(KINDS)
    status = rng.choices(("completed", "failed", "cancelled", "interrupted"), (90, 5, 3, 2))[0]
    meta = json.dumps({"models": [m for m, _, _ in models]})
    rows["sessions"].append(
        (
            session_id,
            title,
            kind,
            status,
            "draft-review-refine" if kind == "chain" else None,
            created,
            at,
            meta,
        )
    )
    counts["interactions"] += turns * (1 + len(models)) + min(reviews, len(answers))
    return session_id
