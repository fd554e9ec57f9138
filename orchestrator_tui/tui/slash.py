"""Slash commands typed in the prompt box: what they are, parsing, completion."""

from __future__ import annotations

from dataclasses import dataclass

COMMANDS: dict[str, str] = {
    "/models": "choose models: /models mock:echo, sonnet (or no names to pick from the list)",
    "/system": "system prompt for every model: /system You are terse (empty clears it)",
    "/clear": "start a new conversation",
    "/review": "score every answer: /review [reviewer model]",
    "/synthesize": "merge the answers into one: /synthesize [judge model]",
    "/attach": "attach a text file or an image to the next prompt: /attach photo.png (off: drop)",
    "/chain": "open a chain in the editor: /chain NAME (no name: pick from the list)",
    "/mode": "use a mode's system prompt, parameters and models: /mode research (off: none)",
    "/blind": "blind mode: answers labelled A, B, C… until you vote: /blind [on|off]",
    "/vote": "vote in a blind round: /vote A, /vote tie, /vote bad",
    "/help": "list these commands",
}


@dataclass(frozen=True, slots=True)
class SlashCommand:
    name: str
    argument: str


def parse(text: str) -> SlashCommand | None:
    """A slash command if ``text`` is one (``/name args``); ``None`` for an ordinary prompt."""
    stripped = text.strip()
    if not stripped.startswith("/") or stripped.startswith("//"):
        return None
    name, _, argument = stripped.partition(" ")
    return SlashCommand(name.lower(), argument.strip())


def matches(prefix: str) -> list[str]:
    """Command names starting with ``prefix`` (the part typed before any space)."""
    if not prefix.startswith("/") or " " in prefix:
        return []
    return [name for name in COMMANDS if name.startswith(prefix.lower())]


def complete(prefix: str) -> str | None:
    """What Tab turns ``prefix`` into: the one match plus a space, or the common start of many."""
    found = matches(prefix)
    if not found:
        return None
    if len(found) == 1:
        return found[0] + " "
    common = found[0]
    for name in found[1:]:
        while not name.startswith(common):
            common = common[:-1]
    return common if len(common) > len(prefix) else None
