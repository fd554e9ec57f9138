"""Distributed batches through a real ``redis-server``: workers as processes, faults on purpose.

Every test bounds its waits (processes are killed at the end); none passes or fails on timing.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from redis_server import RedisServer, free_port, redis_server

from orchestrator_tui.config import Paths

MODELS = """\
models:
  mock:talk-a: {api_name: lorem, options: {ttft: 0.15, tokens: 12}}
  mock:talk-b: {api_name: lorem, options: {ttft: 0.15, tokens: 12}}
  mock:slow: {api_name: lorem, options: {ttft: 0.6, tokens: 12}}
  mock:down: {api_name: flaky, options: {schedule: [mid]}}
"""
FAST = ["--lock-ttl", "1", "--claim-idle", "2"]
CANARY = "sk-ant-canary-0123456789abcdef"


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path) as server:
        yield server


class Cluster:
    """The producer (this test's history) and workers, each with its own home and key store."""

    def __init__(self, tmp_path: Path, paths: Paths, url: str) -> None:
        self.tmp = tmp_path
        self.paths = paths
        self.url = url
        self.processes: list[subprocess.Popen[bytes]] = []
        paths.models_file.write_text(MODELS, encoding="utf-8")
        self.worker_home = tmp_path / "worker-home"
        (self.worker_home / "config").mkdir(parents=True)
        (self.worker_home / "config" / "models.yaml").write_text(MODELS, encoding="utf-8")
        self.env = {**os.environ, "ANTHROPIC_API_KEY": CANARY}

    def topics(self, count: int) -> str:
        path = self.tmp / f"topics-{count}.txt"
        path.write_text("".join(f"topic {n}\n" for n in range(1, count + 1)), encoding="utf-8")
        return str(path)

    def _spawn(self, args: list[str], log: str, home: Path) -> subprocess.Popen[bytes]:
        out = open(self.tmp / log, "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "orchestrator_tui", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**self.env, "ORCH_TUI_HOME": str(home)},
        )
        self.processes.append(process)
        return process

    def produce(self, *args: str, log: str = "producer.log") -> subprocess.Popen[bytes]:
        home = self.paths.config_dir.parent
        return self._spawn(["batch", *args, "--broker", self.url], log, home)

    def resume(self, name: str, log: str = "resume.log") -> subprocess.Popen[bytes]:
        return self._spawn(["batch", "resume", name], log, self.paths.config_dir.parent)

    def worker(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        command = ["worker", "--broker", self.url, "--name", name, "--exit-when-idle", "4", *args]
        return self._spawn(command, f"{name}.log", self.worker_home)

    def log(self, name: str) -> str:
        return (self.tmp / name).read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait()

    def db(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.paths.database) as conn:
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError:
                return []


@pytest.fixture
def cluster(tmp_path: Path, paths: Paths, redis: RedisServer) -> Iterator[Cluster]:
    group = Cluster(tmp_path, paths, redis.url)
    try:
        yield group
    finally:
        group.close()


def wait_until(check: Callable[[], object], timeout: float = 60.0) -> None:
    """Poll ``check`` until true; the timeout only keeps a broken test from hanging."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(0.05)


def every_item_once(cluster: Cluster, count: int) -> None:
    items = cluster.db("SELECT item, status, session_id FROM batch_items ORDER BY item")
    assert [i[:2] for i in items] == [(n, "done") for n in range(1, count + 1)]
    sessions = cluster.db("SELECT batch_item, id, status FROM sessions WHERE batch_id IS NOT NULL")
    completed = [(n, s) for n, s, status in sessions if status == "completed"]
    assert sorted(completed) == sorted((n, s) for n, _, s in items)
    assert {status for *_, status in sessions} <= {"completed", "interrupted"}
    with sqlite3.connect(cluster.paths.database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def done(cluster: Cluster) -> int:
    rows = cluster.db("SELECT COUNT(*) FROM batch_items WHERE status = 'done'")
    return rows[0][0] if rows else 0


def turns_by_worker(redis: RedisServer) -> dict[str, list[tuple[str, int]]]:
    """``item -> [(worker, turn number)]`` from the progress stream, in order."""
    found: dict[str, list[tuple[str, int]]] = {}
    for _, fields in redis.client().xrange("orch:conversation.turn"):
        found.setdefault(fields["item"], []).append((fields["worker"], int(fields["turn"])))
    return found


def conversation(cluster: Cluster, count: int, name: str, turns: str = "4") -> list[str]:
    return ["run", "--conversation", "mock:talk-a,mock:talk-b", "--turns", turns,
            "--inputs", cluster.topics(count), "--name", name]  # fmt: skip


def test_two_workers_share_a_batch_and_one_killed_mid_conversation_is_taken_over(
    cluster: Cluster, redis: RedisServer
) -> None:
    producer = cluster.produce(*conversation(cluster, 12, "shared"))
    first = cluster.worker("wa", "--concurrency", "4", *FAST)
    second = cluster.worker("wb", "--concurrency", "4", *FAST)
    wait_until(lambda: any(w == "wa" for t in turns_by_worker(redis).values() for w, _ in t))
    first.send_signal(signal.SIGKILL)
    assert producer.wait(timeout=120) == 0, cluster.log("producer.log")
    second.wait(timeout=60)
    every_item_once(cluster, 12)
    taken_over = [
        turns for turns in turns_by_worker(redis).values() if {w for w, _ in turns} == {"wa", "wb"}
    ]
    assert taken_over, "no conversation was taken over"
    for turns in taken_over:
        numbers = [n for _, n in turns]
        assert numbers == list(range(1, len(numbers) + 1))  # went on from the last turn, once each
    assert "0 done" not in cluster.log("wb.log")


def test_a_poison_item_lands_in_the_dead_letters_after_its_tries(
    cluster: Cluster, redis: RedisServer
) -> None:
    producer = cluster.produce("run", "--steps", "mock:down", "--inputs", cluster.topics(2),
                               "--name", "poison")  # fmt: skip
    cluster.worker("wa", "--max-attempts", "3", *FAST)
    assert producer.wait(timeout=120) == 1
    dead = redis.client().xrange("orch:conversation.dead")
    assert sorted(f["item"] for _, f in dead) == ["1", "2"]
    assert {json.loads(f["outcome"])["status"] for _, f in dead} == {"failed"}
    items = cluster.db("SELECT status, error FROM batch_items")
    assert [s for s, _ in items] == ["failed", "failed"] and all("step1" in e for _, e in items)
    states = [redis.client().hget(f"orch:state:{k}", "attempts") for k in _keys(cluster)]
    assert states == ["3", "3"]


def _keys(cluster: Cluster) -> list[str]:
    return [f"{b}:{i}" for b, i in cluster.db("SELECT batch_id, item FROM batch_items")]


def test_a_restarted_producer_collects_what_finished_meanwhile(
    cluster: Cluster, redis: RedisServer
) -> None:
    producer = cluster.produce(*conversation(cluster, 6, "again", "2"))
    wait_until(lambda: redis.client().xlen("orch:conversation.new") == 6)
    producer.send_signal(signal.SIGKILL)
    producer.wait()
    worker = cluster.worker("wa", *FAST)
    wait_until(lambda: redis.client().xlen("orch:conversation.completed") == 6)
    assert done(cluster) == 0
    assert cluster.resume("again").wait(timeout=60) == 0, cluster.log("resume.log")
    every_item_once(cluster, 6)
    worker.wait(timeout=30)
    assert "6 done" in cluster.log("wa.log")


def test_the_redis_server_restarted_empty_mid_batch_still_ends_with_every_item_once(
    cluster: Cluster, redis: RedisServer
) -> None:
    producer = cluster.produce(*conversation(cluster, 16, "reset", "2"))
    cluster.worker("wa", "--concurrency", "4", *FAST)
    wait_until(lambda: done(cluster) >= 4)
    redis.restart_empty()
    assert producer.wait(timeout=120) == 0, cluster.log("producer.log")
    every_item_once(cluster, 16)
    assert "publishing it again" in cluster.log("producer.log")


def test_no_api_key_is_anywhere_in_redis_after_a_batch(
    cluster: Cluster, redis: RedisServer
) -> None:
    producer = cluster.produce(*conversation(cluster, 4, "canary", "2"))
    worker = cluster.worker("wa", *FAST)
    assert producer.wait(timeout=60) == 0
    worker.wait(timeout=30)
    client = redis.client()
    seen = 0
    readers = {
        "string": client.get,
        "hash": client.hgetall,
        "list": lambda key: client.lrange(key, 0, -1),
        "stream": client.xrange,
        "set": client.smembers,
    }
    for key in client.scan_iter("*"):
        values = readers[client.type(key)](key)
        seen += 1
        assert CANARY not in f"{key} {values}"
    assert seen >= 3  # the streams and the items' state were looked at
    assert "orch:conversation.turn" in set(client.scan_iter("*"))


def test_a_worker_paused_past_its_lock_has_its_late_result_discarded(
    cluster: Cluster, redis: RedisServer
) -> None:
    producer = cluster.produce("run", "--conversation", "mock:slow,mock:slow", "--turns", "3",
                               "--inputs", cluster.topics(1), "--name", "pause")  # fmt: skip
    paused = cluster.worker("wa", *FAST)
    wait_until(lambda: turns_by_worker(redis).get("1"))
    paused.send_signal(signal.SIGSTOP)
    other = cluster.worker("wb", *FAST)
    assert producer.wait(timeout=60) == 0
    paused.send_signal(signal.SIGCONT)
    paused.wait(timeout=60)
    other.wait(timeout=60)
    every_item_once(cluster, 1)
    assert "1 late results discarded" in cluster.log("wa.log"), cluster.log("wa.log")
    # the batch was over when the paused worker woke: its attempt is not left in Redis either
    assert redis.client().xlen("orch:conversation.completed") == 0
    assert "1 done" in cluster.log("wb.log")


def test_results_published_twice_on_purpose_are_collected_once(
    cluster: Cluster, redis: RedisServer
) -> None:
    producer = cluster.produce(*conversation(cluster, 3, "dupes", "2"))
    client = redis.client()
    wait_until(lambda: client.xlen("orch:conversation.new") == 3)
    for _, fields in client.xrange("orch:conversation.new"):
        outcome = {"status": "done", "session_id": None, "output": f"answer {fields['item']}",
                   "turns": [], "at": 1.0}  # fmt: skip
        result = {k: fields[k] for k in ("batch", "item", "line", "inputs")}
        for _ in range(2):
            client.xadd("orch:conversation.completed", {**result, "outcome": json.dumps(outcome)})
    assert producer.wait(timeout=60) == 0
    every_item_once(cluster, 3)
    outputs = cluster.db("SELECT output FROM batch_items ORDER BY item")
    assert outputs == [("answer 1",), ("answer 2",), ("answer 3",)]


def test_an_unreachable_broker_is_one_clear_line_and_exit_2(cluster: Cluster) -> None:
    cluster.url = f"redis://127.0.0.1:{free_port()}/0"
    producer = cluster.produce(*conversation(cluster, 1, "nowhere"))
    assert producer.wait(timeout=30) == 2
    lines = cluster.log("producer.log").strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("orch-tui: error: cannot reach the broker")
    assert cluster.db("SELECT COUNT(*) FROM batches") in ([], [(0,)])
    worker = cluster.worker("wa")
    assert worker.wait(timeout=30) == 2
    assert "cannot reach the broker" in cluster.log("wa.log")


def test_a_broker_password_is_never_printed_logged_or_stored(tmp_path: Path, paths: Paths) -> None:
    secret = "pw-never-shown-7731"
    with redis_server(tmp_path, password=secret) as server:
        group = Cluster(tmp_path, paths, server.url)
        try:
            producer = group.produce(*conversation(group, 3, "secret", "2"))
            worker = group.worker("wa", *FAST)
            assert producer.wait(timeout=60) == 0, group.log("producer.log")
            worker.wait(timeout=30)
            group.url = server.url.replace(secret, "wrong")
            refused = group.produce(*conversation(group, 1, "refused"), log="refused.log")
            assert refused.wait(timeout=30) == 2
        finally:
            group.close()
    assert "refused the password" in group.log("refused.log")
    shown = "".join(group.log(name) for name in ("producer.log", "wa.log", "refused.log"))
    assert secret not in shown and "redis://***@127.0.0.1" in shown
    stored = b"".join(p.read_bytes() for p in paths.data_dir.iterdir() if p.is_file())
    assert secret.encode() not in stored
    assert group.db("SELECT broker FROM batches") == [(f"redis://***@127.0.0.1:{server.port}/0",)]


def test_tls_with_a_password_works_and_the_password_stays_hidden(
    tmp_path: Path, paths: Paths
) -> None:
    secret = "tls-pw-2291"
    with redis_server(tmp_path, password=secret, tls=True) as server:
        server.wait_ready()
        group = Cluster(tmp_path, paths, server.url)
        try:
            producer = group.produce(*conversation(group, 3, "tls", "2"))
            worker = group.worker("wa", *FAST)
            assert producer.wait(timeout=60) == 0, group.log("producer.log")
            worker.wait(timeout=30)
        finally:
            group.close()
        every_item_once(group, 3)
    shown = group.log("producer.log") + group.log("wa.log")
    assert secret not in shown and "rediss://***@127.0.0.1" in shown


def test_rows_can_come_from_a_redis_list_which_is_left_as_it_was(
    cluster: Cluster, redis: RedisServer
) -> None:
    client = redis.client()
    client.rpush("topics:queue", "tides", "the moon", "volcanoes")
    producer = cluster.produce("run", "--conversation", "mock:talk-a,mock:talk-b", "--turns", "2",
                               "--inputs", "redis-list:topics:queue", "--name", "listed")  # fmt: skip
    cluster.worker("wa", *FAST)
    assert producer.wait(timeout=60) == 0, cluster.log("producer.log")
    every_item_once(cluster, 3)
    inputs = [json.loads(i) for (i,) in cluster.db("SELECT inputs FROM batch_items ORDER BY item")]
    assert inputs == [{"topic": "tides"}, {"topic": "the moon"}, {"topic": "volcanoes"}]
    assert client.lrange("topics:queue", 0, -1) == ["tides", "the moon", "volcanoes"]


def test_resume_retries_dead_lettered_items_through_the_broker(
    cluster: Cluster, redis: RedisServer, paths: Paths
) -> None:
    producer = cluster.produce("run", "--steps", "mock:down", "--inputs", cluster.topics(2),
                               "--name", "retry")  # fmt: skip
    first = cluster.worker("wa", "--max-attempts", "1", *FAST)
    assert producer.wait(timeout=60) == 1
    first.kill()  # the next worker has the model working
    models = MODELS.replace("schedule: [mid]", "schedule: [ok]")
    (cluster.worker_home / "config" / "models.yaml").write_text(models, encoding="utf-8")
    cluster.worker("wb", *FAST)
    resumed = cluster._spawn(["batch", "resume", "retry", "--retry-failed"], "resume.log",
                             paths.config_dir.parent)  # fmt: skip
    assert resumed.wait(timeout=60) == 0, cluster.log("resume.log")
    assert cluster.db("SELECT status FROM batch_items") == [("done",), ("done",)]


def test_a_stopped_worker_hands_its_items_back_at_once(
    cluster: Cluster, redis: RedisServer
) -> None:
    producer = cluster.produce("run", "--conversation", "mock:slow,mock:slow", "--turns", "5",
                               "--inputs", cluster.topics(3), "--name", "handback")  # fmt: skip
    first = cluster.worker("wa", *FAST)
    wait_until(lambda: len(turns_by_worker(redis)) == 3)  # all three items under way
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=30) == 0
    assert "3 handed back" in cluster.log("wa.log")
    wait_until(lambda: len(cluster.db("SELECT 1 FROM sessions WHERE status = 'interrupted'")) == 3)
    # the next worker never takes over silent items (a minute's idle): it gets them handed back
    cluster.worker("wb", "--lock-ttl", "1", "--claim-idle", "60")
    assert producer.wait(timeout=60) == 0
    every_item_once(cluster, 3)
    for turns in turns_by_worker(redis).values():
        assert [n for _, n in turns] == list(range(1, len(turns) + 1))


async def test_the_batch_screen_and_status_follow_the_workers_of_a_running_batch(
    cluster: Cluster, redis: RedisServer, paths: Paths
) -> None:
    from textual.widgets import Static

    from orchestrator_tui.config import load_config
    from orchestrator_tui.tui.app import OrchApp

    producer = cluster.produce("run", "--conversation", "mock:slow,mock:slow", "--turns", "3",
                               "--inputs", cluster.topics(2), "--name", "watched")  # fmt: skip
    worker = cluster.worker("wa", "--lock-ttl", "30", "--claim-idle", "60")
    wait_until(lambda: len(turns_by_worker(redis)) == 2)
    worker.send_signal(signal.SIGSTOP)  # the batch stays running while we look
    try:
        app = OrchApp(config=load_config(paths), warm_sdks=False)
        expected = "workers: 1 active · 2 conversations under way"
        async with app.run_test(size=(120, 40)) as pilot:
            await app.wait_services()
            await pilot.pause()
            await pilot.press("f8")
            summary = ""
            for _ in range(100):  # the screen reads the broker once a second
                await pilot.pause(0.1)
                summary = str(app.screen.query_one("#batch-summary", Static).render())
                if expected in summary:
                    break
            assert expected in summary, summary
        status = cluster._spawn(
            ["batch", "status", "watched"], "status.log", paths.config_dir.parent
        )
        assert status.wait(timeout=30) == 0
        assert expected in cluster.log("status.log")
    finally:
        worker.send_signal(signal.SIGCONT)
    assert producer.wait(timeout=60) == 0


def test_a_worker_takes_its_broker_from_the_environment(
    cluster: Cluster, redis: RedisServer
) -> None:
    producer = cluster.produce(*conversation(cluster, 2, "fromenv", "2"))
    cluster.env = {**cluster.env, "ORCH_TUI_BROKER": cluster.url}
    command = ["worker", "--name", "wa", "--exit-when-idle", "3", *FAST]
    worker = cluster._spawn(command, "wa.log", cluster.worker_home)
    assert producer.wait(timeout=60) == 0
    assert worker.wait(timeout=30) == 0 and "2 done" in cluster.log("wa.log")
