"""Two costs the mistralai SDK pays on every request, taken away once for the process.

- It builds a new pydantic model class for each value it marshals or unmarshals
  (``pydantic.create_model``, 0.3-1 ms each: about nine per request, then one per streamed
  chunk). Such a class depends only on its name and field types, so one is kept per type and
  reused: the rehearsal of the warm-up makes the ones the first request needs.
- It runs its hooks (headers, tracing) in a worker thread before the request leaves and again
  before the first chunk is read. Right after Enter the event loop is busy drawing the new pane,
  and each hop waits for it (2-15 ms measured). The SDK's own hooks only edit the request and the
  response objects, and read no file when an API key is given (we always give one), so they run
  inline.

Both are module attributes of the SDK; an SDK without them is left as it is.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def install() -> None:
    """Apply both to the imported SDK (idempotent; called before its client is made)."""
    import pydantic
    from mistralai.client import basesdk
    from mistralai.client.utils import serializers

    if not hasattr(serializers, "create_model") or not hasattr(basesdk, "run_sync_in_thread"):
        log.debug("the mistralai SDK changed: its per-request costs are left as they are")
        return
    if serializers.create_model is pydantic.create_model:
        serializers.create_model = one_class_per_type(pydantic.create_model)
    basesdk.run_sync_in_thread = run_inline


def one_class_per_type(create_model: Callable[..., Any]) -> Callable[..., Any]:
    """``create_model`` that returns the class it made before for the same name and fields
    (made anew, and not kept, when a field's type cannot be hashed)."""
    made: dict[Any, Any] = {}

    @functools.wraps(create_model)
    def once(name: str, /, **fields: Any) -> Any:
        key = (name, *((field, _hashable(value)) for field, value in sorted(fields.items())))
        try:
            found = made.get(key)
        except TypeError:
            return create_model(name, **fields)
        if found is None:
            found = made[key] = create_model(name, **fields)
        return found

    return once


def _hashable(value: Any) -> Any:
    """A model's configuration (a dict) as a tuple, so it can be part of a key."""
    return tuple(sorted(value.items())) if isinstance(value, dict) else value


async def run_inline(func: Callable[..., T], *args: Any) -> T:
    """The SDK's ``run_sync_in_thread``, without the thread."""
    return func(*args)
