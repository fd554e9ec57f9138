"""The built-in offline provider: deterministic answers at a configurable speed.

Models: ``echo`` repeats the prompt (an image in it as an ``[image …]`` line), ``lorem`` writes
Markdown (same text for the same seed), ``judge`` answers with a JSON review, ``flaky`` fails on a
schedule. For the arena: ``arbiter`` judges pairs and ranks answers fairly (the longer answer is
the better one, whatever the order), ``arbiter-biased`` always prefers the answer shown first (a
position bias to be caught), and ``peer-1`` .. ``peer-3`` answer like ``lorem`` (each its own
length) and rank like ``arbiter``. Speed comes from the provider settings or the model's
``options``: ``ttft`` (seconds before the first token) and ``tokens_per_second`` (0 means as fast
as possible).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import random
import re
import zlib
from collections.abc import AsyncGenerator, Iterator
from typing import Any

from orchestrator_tui.core.arena.judge import VERDICT_MARK
from orchestrator_tui.core.arena.ranking import RANKING_MARK
from orchestrator_tui.core.catalog import ProviderConfig
from orchestrator_tui.core.errors import ErrorKind, ProviderError
from orchestrator_tui.core.ports import Chunk
from orchestrator_tui.core.types import LLMRequest, ModelInfo, ModelRef, Usage

MODELS = {
    "echo": "Repeats your prompt back, word by word.",
    "lorem": "Markdown with headings, lists, a table and code.",
    "judge": 'Answers with a JSON review {"score", "feedback"}.',
    "flaky": "Fails on a schedule, then succeeds.",
    "arbiter": "Judges pairs and ranks answers: the longer one wins, in any order.",
    "arbiter-biased": "Judges pairs and ranks answers: whatever is shown first wins.",
    **{
        f"peer-{n}": "Answers like lorem (its own length); ranks like arbiter." for n in range(1, 4)
    },
}
_ANSWER_HEADING = re.compile(r"^## Answer (\S+)\s*$", re.MULTILINE)
UNLISTED = {"drafter": "Answers any request with a valid chain (for `chains new --mock`)."}
"""Models the mock answers but does not list: a command adds them to its own catalog."""
FLAKY_SCHEDULE = ("mid", "ok", "before", "ok", "stall", "ok")
_TOKEN = re.compile(r"\s*\S+(?:\s+\Z)?|\s+")
_YIELD_EVERY = 32


def tokenize(text: str) -> list[str]:
    """Split into word-sized pieces that join back to exactly ``text``."""
    return _TOKEN.findall(text)


class MockProvider:
    name = "mock"

    def __init__(self, config: ProviderConfig, api_key: str | None = None) -> None:
        self.name = config.name
        self._settings = config.settings
        self._flaky_calls = itertools.count()
        self._judge_calls = itertools.count()

    async def list_models(self) -> list[ModelInfo]:
        return [
            ModelInfo(ModelRef(self.name, model), context_window=1_000_000, description=text)
            for model, text in MODELS.items()
        ]

    async def prepare(self) -> None:
        """Nothing to get ready: no SDK, no network."""

    async def preconnect(self) -> None:
        """Nothing to connect to."""

    async def aclose(self) -> None:
        return None

    async def stream(self, request: LLMRequest) -> AsyncGenerator[Chunk, None]:
        options = {**self._settings, **request.options}
        model = request.model.name
        if model not in MODELS and model not in UNLISTED:
            raise ProviderError(
                ErrorKind.BAD_REQUEST, f"no mock model {model!r}", provider=self.name
            )
        asked = next((m for m in reversed(request.messages) if m.role == "user"), None)
        prompt = asked.plain() if asked else ""
        outcome = "ok"
        if model == "flaky":
            schedule = options.get("schedule") or FLAKY_SCHEDULE
            outcome = str(schedule[next(self._flaky_calls) % len(schedule)])
        text = self._answer(model, prompt, options)
        tokens = tokenize(text)
        if request.params.max_tokens is not None:
            tokens = tokens[: max(request.params.max_tokens, 0)]

        await _sleep(float(options.get("ttft", 0)))
        if outcome == "before":
            raise ProviderError(
                ErrorKind.SERVER, "scheduled failure before the first token", provider=self.name
            )
        delay = _delay(float(options.get("tokens_per_second", 0)))
        loop = asyncio.get_running_loop()
        started = loop.time()
        cut = len(tokens) // 2 if outcome in ("mid", "stall") else None
        for index, token in enumerate(tokens):
            if index == cut:
                if outcome == "stall":
                    await asyncio.sleep(float(options.get("stall_seconds", 3600)))
                raise ProviderError(
                    ErrorKind.CONNECTION, "scheduled failure mid-stream", provider=self.name
                )
            yield token
            # Tokens follow the server's clock, not the reader's: a reader that falls behind
            # finds the late ones waiting, as it would on a real connection.
            wait = started + (index + 1) * delay - loop.time() if delay else 0.0
            if wait > 0:
                await asyncio.sleep(wait)
            elif index % _YIELD_EVERY == _YIELD_EVERY - 1:
                await asyncio.sleep(0)
        words_in = sum(len(m.text.split()) for m in request.messages)
        if request.system:
            words_in += len(request.system.split())
        yield Usage(input_tokens=words_in, output_tokens=len(tokens))

    def _answer(self, model: str, prompt: str, options: dict[str, Any]) -> str:
        if model == "echo":
            return prompt
        if model == "judge":
            return judge_verdict(prompt, options.get("scores"), self._judge_calls)
        if model.startswith(("arbiter", "peer-")) and (found := arena_reply(model, prompt)):
            return found
        if model.startswith("peer-"):
            seed = zlib.crc32(f"{model}\n{prompt}".encode())
            return lorem_markdown(seed, 30 + 25 * int(model.removeprefix("peer-")))
        if model == "drafter":
            return drafted_chain(prompt)
        seed = options.get("seed", zlib.crc32(prompt.encode()))
        size = int(options.get("tokens", 250 if model == "lorem" else 60))
        return lorem_markdown(int(seed), size)


def judge_verdict(subject: str, scores: Any, calls: Iterator[int]) -> str:
    """A review whose score grows with the thoroughness (length) of the text under review.

    ``scores`` (a list in the model's options) overrides this with a fixed sequence, for tests.
    """
    digest = zlib.crc32(subject.encode())
    if scores:
        score = float(scores[next(calls) % len(scores)])
    else:
        words = len(subject.split())
        jitter = (digest % 7 - 3) / 100
        score = round(min(0.98, max(0.05, 0.3 + 0.1 * math.log2(1 + words / 30) + jitter)), 2)
    feedback = _FEEDBACK[digest % len(_FEEDBACK)]
    first = digest % len(_SUGGESTIONS)
    second = (first + 1 + (digest >> 8) % (len(_SUGGESTIONS) - 1)) % len(_SUGGESTIONS)
    suggestions = [_SUGGESTIONS[first], _SUGGESTIONS[second]]
    return json.dumps({"score": score, "feedback": feedback, "suggestions": suggestions})


def arena_reply(model: str, prompt: str) -> str | None:
    """A pairwise verdict or a ranking when ``prompt`` asks for one (see ``core.arena``).

    The fair judge prefers the longer answer; ``arbiter-biased`` prefers the one shown first.
    """
    if VERDICT_MARK not in prompt and RANKING_MARK not in prompt:
        return None
    answers = _shown_answers(prompt)
    if not answers:
        return None
    if model == "arbiter-biased":
        order = [label for label, _ in answers]
    else:
        order = [label for label, _ in sorted(answers, key=lambda item: -len(item[1]))]
    if VERDICT_MARK in prompt:
        a, b = (len(text) for _, text in answers[:2]) if len(answers) > 1 else (0, 0)
        verdict = order[0] if model == "arbiter-biased" or a != b else "TIE"
        return f"Having read both answers closely, my choice follows.\n\n{VERDICT_MARK} {verdict}"
    return f"I compared every answer.\n\n{RANKING_MARK} {' > '.join(order)}"


def _shown_answers(prompt: str) -> list[tuple[str, str]]:
    """(label, text) of each ``## Answer X`` section: up to the next one, the last up to
    ``## Your ...`` (answers may have ``## `` headings of their own)."""
    found = list(_ANSWER_HEADING.finditer(prompt))
    out = []
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else prompt.find("\n## Your ")
        text = prompt[match.end() : end if end > match.end() else len(prompt)]
        out.append((match.group(1), text.strip()))
    return out


_FEEDBACK = (
    "Clear and well structured; the examples could be more concrete.",
    "Accurate overall, but the introduction is long and the conclusion is thin.",
    "Covers the main points; a short summary at the end would help the reader.",
    "Good use of lists; some claims need a source or an example.",
)
_SUGGESTIONS = (
    "Add a concrete example.",
    "Shorten the first paragraph.",
    "End with a one-line summary.",
    "Name the trade-offs explicitly.",
    "Define terms before using them.",
)
_LOREM = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt "
    "ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco "
    "laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate "
    "velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident "
    "sunt culpa qui officia deserunt mollit anim id est laborum "
)
_WORDS = tuple(_LOREM.split())


def lorem_markdown(seed: int, tokens: int) -> str:
    """Markdown of about ``tokens`` words: headings, paragraphs, lists, a table, fenced code."""
    rng = random.Random(seed)

    def words(n: int) -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(n))

    def sentence() -> str:
        text = words(rng.randint(6, 14))
        return text[0].upper() + text[1:] + "."

    blocks: list[str] = []
    count = 0
    section = 0
    while count < tokens:
        choice = section % 5 if section < 5 else rng.randrange(5)
        section += 1
        if choice == 0:
            blocks.append(f"## {words(3).title()}")
        elif choice == 1:
            blocks.append(" ".join(sentence() for _ in range(rng.randint(2, 4))))
        elif choice == 2:
            blocks.append(
                "\n".join(f"- **{words(1)}** {words(rng.randint(3, 7))}" for _ in range(3))
            )
        elif choice == 3:
            rows = "\n".join(
                f"| {words(1)} | {rng.randint(1, 99)} | {words(2)} |" for _ in range(3)
            )
            blocks.append(f"| name | value | note |\n| --- | --- | --- |\n{rows}")
        else:
            name = words(1)
            blocks.append(
                f"```python\ndef {name}(x):\n    return x * {rng.randint(2, 9)}\n\n"
                f"print({name}({rng.randint(1, 9)}))\n```"
            )
        count += len(blocks[-1].split())
    return "\n\n".join(blocks)


async def _sleep(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)


def _delay(tokens_per_second: float) -> float:
    return 1.0 / tokens_per_second if tokens_per_second > 0 else 0.0


def drafted_chain(request: str) -> str:
    """A valid chain on mock models for any request: draft, then refine under a review."""
    wanted = next((line.strip() for line in reversed(request.splitlines()) if line.strip()), "")
    description = json.dumps(f"Drafted offline for: {wanted}"[:200], ensure_ascii=False)
    return f"""name: drafted
description: {description}
inputs:
  topic: What the chain works on
steps:
  - id: draft
    kind: generate
    model: mock:lorem
    prompt: "Write about {{{{ inputs.topic }}}}."
  - id: polish
    kind: refine
    target: draft
    reviewer: mock:judge
    threshold: 0.8
    max_iterations: 2
"""
