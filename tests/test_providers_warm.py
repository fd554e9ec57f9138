"""What a request after the warm-up does not wait for: a hop to a worker thread (which waits
for an event loop busy drawing the new pane right after Enter), pydantic model classes built
(Mistral's SDK), a new connection (the next request too). Checked by what runs, never by time."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Annotated, Any

import pydantic
import pytest

from orchestrator_tui.core.ports import Provider
from orchestrator_tui.core.types import GenerationParams, LLMRequest, Message, ModelRef
from orchestrator_tui.providers.mistral_speedups import one_class_per_type
from orchestrator_tui.services import Services, open_services
from tests.wire.engine import MODELS
from tests.wire.fixtures import wire_server  # noqa: F401 - the `wire` fixture
from tests.wire.guard import loopback_only  # noqa: F401 - a fixture
from tests.wire.server import WireServer

PROVIDERS = sorted(MODELS)
SDK_PROVIDERS = ("anthropic", "gemini", "mistral")
pytestmark = pytest.mark.usefixtures("loopback_only")


class CountingExecutor(ThreadPoolExecutor):
    """An event loop's default executor (``asyncio.to_thread``) that keeps what it was given."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.jobs: list[Callable[..., Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.jobs.append(fn)
        return super().submit(fn, *args, **kwargs)


@pytest.fixture
async def services(wire: WireServer) -> AsyncIterator[Services]:
    opened = await open_services()
    try:
        yield opened
    finally:
        await opened.aclose()


async def warmed(services: Services, provider: str) -> Provider:
    """``provider`` as the app has it once its warm-up is over (a connection open to the wire)."""
    registry = services.orchestrator.registry
    await registry.warm([provider])
    return registry.get(provider)


async def answer(made: Provider) -> str:
    request = LLMRequest(
        ModelRef(made.name, MODELS[made.name].partition(":")[2]),
        (Message("user", "hi"),),
        GenerationParams(),
    )
    return "".join([chunk async for chunk in made.stream(request) if isinstance(chunk, str)])


@pytest.mark.parametrize("provider", SDK_PROVIDERS)
async def test_after_the_warm_up_the_first_request_leaves_without_a_worker_thread(
    wire: WireServer, services: Services, provider: str
) -> None:
    threads = CountingExecutor()
    asyncio.get_running_loop().set_default_executor(threads)
    made = await warmed(services, provider)
    assert threads.jobs  # the warm-up itself works in threads
    warm_up = len(threads.jobs)

    assert await answer(made) == "Hello from the wire"
    assert threads.jobs[warm_up:] == []
    assert len(wire.connections) == 1  # over the connection opened ahead


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_the_next_request_goes_over_the_same_connection(
    wire: WireServer, services: Services, provider: str
) -> None:
    made = await warmed(services, provider)
    assert await answer(made) == "Hello from the wire"
    assert await answer(made) == "Hello from the wire"
    assert len(wire.connections) == 1


@pytest.mark.parametrize("provider", ["mistral", "openai"])  # the others read to the end
async def test_an_answer_ends_when_the_server_keeps_the_stream_open_after_done(
    wire: WireServer, services: Services, provider: str
) -> None:
    made = await warmed(services, provider)
    wire.script("linger")
    assert await answer(made) == "Hello from the wire"
    assert await answer(made) == "Hello from the wire"
    assert len(wire.connections) == 2  # the one left open was given up


async def test_after_the_warm_up_a_mistral_request_builds_no_pydantic_model_class(
    wire: WireServer, services: Services
) -> None:
    made = await warmed(services, "mistral")
    gc.disable()  # a class made and dropped during the request stays countable
    try:
        before = set(pydantic.BaseModel.__subclasses__())
        assert await answer(made) == "Hello from the wire"
        assert set(pydantic.BaseModel.__subclasses__()) - before == set()
    finally:
        gc.enable()


def test_one_model_class_is_made_per_field_type_and_one_per_call_when_it_cannot_be_hashed() -> None:
    made: list[str] = []

    def create_model(name: str, /, **fields: Any) -> Any:
        made.append(name)
        return pydantic.create_model(name, **fields)

    once = one_class_per_type(create_model)
    config = pydantic.ConfigDict(populate_by_name=True)
    numbers = once("Body", body=(list[int], ...), __config__=config)
    assert once("Body", body=(list[int], ...), __config__=config) is numbers
    assert numbers(body=["1", 2]).body == [1, 2]
    assert once("Body", body=(str, ...), __config__=config) is not numbers
    odd = Annotated[int, {"not": "hashable"}]
    assert once("Body", body=(odd, ...)) is not once("Body", body=(odd, ...))
    assert len(made) == 4
