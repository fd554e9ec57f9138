"""The schema, as an ordered list of migrations; ``PRAGMA user_version`` is the index reached.

Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

SCHEMA_V1 = """
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,             -- compare | chat | chain | conversation
    status      TEXT NOT NULL,             -- active | completed | failed | cancelled | interrupted
    chain_name  TEXT,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    deleted_at  REAL,                      -- soft delete: restorable until emptied
    pid         INTEGER,                   -- the process writing it while active
    metadata    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sessions_created ON sessions(created_at DESC);

CREATE TABLE interactions (
    seq         INTEGER PRIMARY KEY,       -- stable rowid for the FTS index
    id          TEXT NOT NULL UNIQUE,
    session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    parent_id   TEXT,
    step_id     TEXT,
    type        TEXT NOT NULL,             -- prompt | response | review | refinement | synthesis | turn
    model       TEXT,
    content     TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,             -- streaming | ok | failed | cancelled | interrupted
    error       TEXT,
    created_at  REAL NOT NULL,
    finished_at REAL,
    metadata    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX interactions_session ON interactions(session_id, seq);

CREATE TABLE requests (
    id            INTEGER PRIMARY KEY,
    session_id    TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    interaction_id TEXT NOT NULL,
    provider      TEXT NOT NULL,
    model         TEXT NOT NULL,
    params        TEXT NOT NULL DEFAULT '{}',
    attempt       INTEGER NOT NULL,
    status        TEXT NOT NULL,           -- ok | failed | cancelled
    error_kind    TEXT,
    error         TEXT,
    input_tokens  INTEGER,
    output_tokens INTEGER,
    ttft          REAL,
    latency       REAL,
    cost          REAL,
    cached        INTEGER NOT NULL DEFAULT 0,
    created_at    REAL NOT NULL
);
CREATE INDEX requests_interaction ON requests(interaction_id);
CREATE INDEX requests_session ON requests(session_id);

CREATE TABLE reviews (
    id             INTEGER PRIMARY KEY,
    session_id     TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    interaction_id TEXT NOT NULL,
    reviewer       TEXT NOT NULL,
    score          REAL,
    feedback       TEXT NOT NULL DEFAULT '',
    suggestions    TEXT NOT NULL DEFAULT '[]',
    created_at     REAL NOT NULL
);
CREATE INDEX reviews_interaction ON reviews(interaction_id);

CREATE VIRTUAL TABLE interactions_fts USING fts5(
    content, content='interactions', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER interactions_fts_insert AFTER INSERT ON interactions BEGIN
    INSERT INTO interactions_fts(rowid, content) VALUES (new.seq, new.content);
END;
CREATE TRIGGER interactions_fts_delete AFTER DELETE ON interactions BEGIN
    INSERT INTO interactions_fts(interactions_fts, rowid, content) VALUES ('delete', old.seq, old.content);
END;
CREATE TRIGGER interactions_fts_update AFTER UPDATE OF content ON interactions BEGIN
    INSERT INTO interactions_fts(interactions_fts, rowid, content) VALUES ('delete', old.seq, old.content);
    INSERT INTO interactions_fts(rowid, content) VALUES (new.seq, new.content);
END;
"""

RESPONSE_CACHE = """
CREATE TABLE IF NOT EXISTS response_cache (
    key           TEXT PRIMARY KEY,        -- sha256 of model, parameters and messages
    model         TEXT NOT NULL,
    text          TEXT NOT NULL,
    input_tokens  INTEGER,
    output_tokens INTEGER,
    created_at    REAL NOT NULL,
    hits          INTEGER NOT NULL DEFAULT 0
);
"""

CHAIN_STEPS = """
CREATE TABLE chain_steps (
    id          INTEGER PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    run_id      TEXT NOT NULL,
    step_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,             -- generate | parallel | review | refine | synthesize | conversation
    position    INTEGER NOT NULL,          -- the step's place in its chain, from 0
    status      TEXT NOT NULL,             -- running | ok | failed | skipped | cancelled | interrupted
    score       REAL,
    scores      TEXT NOT NULL DEFAULT '[]', -- every reviewed version's score, in order (refine)
    output      TEXT NOT NULL DEFAULT '',
    error       TEXT,
    started_at  REAL NOT NULL,
    finished_at REAL,
    UNIQUE (run_id, step_id)
);
CREATE INDEX chain_steps_session ON chain_steps(session_id, run_id, position);
"""

CHAIN_STEP_DETAILS = """
-- refine: rewrites, passed; conversation: turns, models (how many took part), stopped, judge_score
ALTER TABLE chain_steps ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
"""
HISTORY_SEARCH = """
-- History at 100,000 sessions: keyset paging newest first, the trash, per-session totals and
-- stats over a period. Full-text search as you type: the answer index is rebuilt with prefix
-- indexes (a bare prefix like 'th*' otherwise merges every matching term's list, ~0.5 s at a
-- million rows), and a small prompt-only index lets prompt matches come first cheaply.
DROP INDEX IF EXISTS sessions_created;
CREATE INDEX sessions_recent ON sessions(created_at DESC, id DESC);
CREATE INDEX sessions_trash ON sessions(deleted_at) WHERE deleted_at IS NOT NULL;
DROP INDEX IF EXISTS requests_session;
CREATE INDEX requests_session_model ON requests(session_id, model);
CREATE INDEX requests_created ON requests(created_at);
CREATE INDEX requests_model ON requests(model, session_id);
CREATE INDEX reviews_session ON reviews(session_id);
CREATE INDEX reviews_created ON reviews(created_at);

DROP TRIGGER IF EXISTS interactions_fts_insert;
DROP TRIGGER IF EXISTS interactions_fts_delete;
DROP TRIGGER IF EXISTS interactions_fts_update;
DROP TABLE IF EXISTS interactions_fts;
CREATE VIRTUAL TABLE interactions_fts USING fts5(
    content, content='interactions', content_rowid='seq',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
INSERT INTO interactions_fts(interactions_fts) VALUES ('rebuild');
CREATE TRIGGER interactions_fts_insert AFTER INSERT ON interactions BEGIN
    INSERT INTO interactions_fts(rowid, content) VALUES (new.seq, new.content);
END;
CREATE TRIGGER interactions_fts_delete AFTER DELETE ON interactions BEGIN
    INSERT INTO interactions_fts(interactions_fts, rowid, content) VALUES ('delete', old.seq, old.content);
END;
CREATE TRIGGER interactions_fts_update AFTER UPDATE OF content ON interactions BEGIN
    INSERT INTO interactions_fts(interactions_fts, rowid, content) VALUES ('delete', old.seq, old.content);
    INSERT INTO interactions_fts(rowid, content) VALUES (new.seq, new.content);
END;

CREATE VIRTUAL TABLE prompts_fts USING fts5(
    content, content='interactions', content_rowid='seq',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
INSERT INTO prompts_fts(rowid, content) SELECT seq, content FROM interactions WHERE type = 'prompt';
CREATE TRIGGER prompts_fts_insert AFTER INSERT ON interactions WHEN new.type = 'prompt' BEGIN
    INSERT INTO prompts_fts(rowid, content) VALUES (new.seq, new.content);
END;
CREATE TRIGGER prompts_fts_delete AFTER DELETE ON interactions WHEN old.type = 'prompt' BEGIN
    INSERT INTO prompts_fts(prompts_fts, rowid, content) VALUES ('delete', old.seq, old.content);
END;
CREATE TRIGGER prompts_fts_update AFTER UPDATE OF content ON interactions
WHEN old.type = 'prompt' BEGIN
    INSERT INTO prompts_fts(prompts_fts, rowid, content) VALUES ('delete', old.seq, old.content);
    INSERT INTO prompts_fts(rowid, content) VALUES (new.seq, new.content);
END;
"""

FTS_AFTER_STREAMING = """
-- The recorder rewrites a streaming answer about twice a second; indexing every version made
-- indexing quadratic in the answer's length. An answer is indexed once, when it stops streaming.
-- Entries of rows still streaming are taken out first, exactly as they were indexed.
INSERT INTO interactions_fts(interactions_fts, rowid, content)
    SELECT 'delete', seq, content FROM interactions WHERE status = 'streaming';
DROP TRIGGER interactions_fts_insert;
DROP TRIGGER interactions_fts_delete;
DROP TRIGGER interactions_fts_update;
CREATE TRIGGER interactions_fts_insert AFTER INSERT ON interactions
WHEN new.status != 'streaming' BEGIN
    INSERT INTO interactions_fts(rowid, content) VALUES (new.seq, new.content);
END;
CREATE TRIGGER interactions_fts_delete AFTER DELETE ON interactions
WHEN old.status != 'streaming' BEGIN
    INSERT INTO interactions_fts(interactions_fts, rowid, content) VALUES ('delete', old.seq, old.content);
END;
CREATE TRIGGER interactions_fts_update AFTER UPDATE OF content, status ON interactions BEGIN
    INSERT INTO interactions_fts(interactions_fts, rowid, content)
        SELECT 'delete', old.seq, old.content WHERE old.status != 'streaming';
    INSERT INTO interactions_fts(rowid, content)
        SELECT new.seq, new.content WHERE new.status != 'streaming';
END;
"""

BEST_ANSWER = """
-- The answer a person marked best among those shown side by side for one prompt (the `v` key).
ALTER TABLE interactions ADD COLUMN best INTEGER NOT NULL DEFAULT 0;
"""

WRITER_START = """
-- The writer of an active session is its pid plus that process's start time (clock ticks after
-- boot, from /proc), so a reused pid or a killed process not yet reaped is not taken for it.
ALTER TABLE sessions ADD COLUMN pid_start INTEGER;
"""

BATCHES = """
-- Batches: a chain or conversation run once per input row. Items are the queue of the embedded
-- mode (and what the producer collects into in the distributed one); each attempt at an item is a
-- normal session tagged with its batch and item.
CREATE TABLE batches (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    spec        TEXT NOT NULL,             -- JSON: what runs for each item (chain, conversation, mock)
    status      TEXT NOT NULL,             -- loading | queued | running | completed | cancelled | stopped
    concurrency INTEGER NOT NULL,
    budget      REAL,
    broker      TEXT,                      -- the broker's address without its password
    total       INTEGER NOT NULL DEFAULT 0,
    bad_rows    INTEGER NOT NULL DEFAULT 0,
    pid         INTEGER,                   -- the process working it while running
    pid_start   INTEGER,                   -- and its start time (see store/writer.py)
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL
);
CREATE TABLE batch_items (
    batch_id      TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
    item          INTEGER NOT NULL,        -- position in the input, from 1
    line          INTEGER NOT NULL,        -- line of the input file it came from
    inputs        TEXT NOT NULL,           -- JSON object of the chain's inputs
    status        TEXT NOT NULL DEFAULT 'queued',  -- queued | done | failed | cancelled
    session_id    TEXT,                    -- the attempt whose result this is
    attempts      INTEGER NOT NULL DEFAULT 0,
    output        TEXT,
    score         REAL,
    quality       REAL,
    details       TEXT,                    -- JSON: turns, stop reason, quality factors
    input_tokens  INTEGER,
    output_tokens INTEGER,
    cost          REAL,
    error         TEXT,
    finished_at   REAL,
    PRIMARY KEY (batch_id, item)
) WITHOUT ROWID;
CREATE INDEX batch_items_status ON batch_items(batch_id, status, item);
ALTER TABLE sessions ADD COLUMN batch_id TEXT;
ALTER TABLE sessions ADD COLUMN batch_item INTEGER;
CREATE INDEX sessions_batch ON sessions(batch_id, batch_item) WHERE batch_id IS NOT NULL;
"""

VOTES = """
-- Verdicts on answers shown together, by the person or a judge model: what the arena rates.
-- A ranking is stored as successive win votes (see core/arena/votes.py).
CREATE TABLE votes (
    id          INTEGER PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    answers     TEXT NOT NULL,             -- JSON list of interaction ids, in the order shown
    contestants TEXT NOT NULL,             -- JSON list of the model (or chain) behind each
    outcome     TEXT NOT NULL,             -- win | tie | all_bad
    winner      TEXT,                      -- the winning answer's id (win)
    won         INTEGER,                   -- the winner's place among the answers, from 0 (win)
    voter       TEXT NOT NULL,             -- user | the judge model
    blind       INTEGER NOT NULL,          -- 1: the voter did not see who wrote what
    category    TEXT,
    created_at  REAL NOT NULL
);
CREATE INDEX votes_session ON votes(session_id);
CREATE INDEX votes_created ON votes(created_at);
-- The leaderboard counts votes alike (GROUP BY) from this index alone, in its order.
CREATE INDEX votes_tally ON votes(blind, contestants, outcome, won, voter, category, created_at);
"""

PROMPT_ATTACHMENTS = """
-- The images a prompt carried are kept on the prompt, each named by its path (store/attached_images.py).
-- Sessions recorded before kept those of their first prompt on the session, as "name": move them.
UPDATE interactions SET metadata = json_set(metadata, '$.attachments', (
    SELECT json_group_array(json_object(
        'path', json_extract(a.value, '$.name'),
        'media_type', json_extract(a.value, '$.media_type'),
        'bytes', json_extract(a.value, '$.bytes'),
        'sha256', json_extract(a.value, '$.sha256')))
    FROM sessions s, json_each(s.metadata, '$.attachments') a
    WHERE s.id = interactions.session_id))
WHERE seq IN (
    SELECT min(i.seq) FROM interactions i JOIN sessions s ON s.id = i.session_id
    WHERE i.type = 'prompt' AND json_type(s.metadata, '$.attachments') = 'array'
    GROUP BY i.session_id);
UPDATE sessions SET metadata = json_remove(metadata, '$.attachments')
WHERE json_type(metadata, '$.attachments') = 'array';
"""

MIGRATIONS: list[str] = [
    SCHEMA_V1,
    RESPONSE_CACHE,
    CHAIN_STEPS,
    CHAIN_STEP_DETAILS,
    HISTORY_SEARCH,
    FTS_AFTER_STREAMING,
    BEST_ANSWER,
    WRITER_START,
    BATCHES,
    VOTES,
    PROMPT_ATTACHMENTS,
]
