"""What the history screens do to a session, shared by the table and the detail view.

Everything goes through ``services.sessions`` (the store) and, to continue a session, the
workspace screen; no SQL here. Each action reports its outcome with a notification.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from orchestrator_tui.core.attachments import Attachment
from orchestrator_tui.core.text import terminal_safe
from orchestrator_tui.store.reopen import last_answers, lost_note
from orchestrator_tui.tui.host import app_services, orch_app
from orchestrator_tui.tui.screens.history_dialogs import (
    ConfirmDialog,
    ExportDialog,
    RenameDialog,
)

if TYPE_CHECKING:
    from orchestrator_tui.core.types import Message
    from orchestrator_tui.store.reopen import RerunPlan
    from orchestrator_tui.store.sessions import SessionStore
    from orchestrator_tui.tui.app import OrchApp
    from orchestrator_tui.tui.screens.workspace import WorkspaceScreen


class HistoryActions:
    """Reopen, rerun, fork, rename, delete, restore and export, for the screen that owns it."""

    def __init__(self, screen: Screen[Any], changed: Callable[[], object]) -> None:
        self.screen = screen
        self.changed = changed
        """Called after the history changed (a rename, a deletion), to reload what is shown."""

    @property
    def app(self) -> OrchApp:
        return orch_app(self.screen)

    async def store(self) -> SessionStore:
        return (await app_services(self.screen)).sessions

    async def reopen(self, session_id: str) -> None:
        """Continue the session in the workspace, each model's turns shown in its pane."""
        store = await self.store()
        detail = await store.detail(session_id)
        reopened = await store.reopened(session_id)
        workspace = await self._workspace()
        if await workspace.continue_session(
            reopened.conversation,
            list(detail.models),
            reopened.prompt,
            answers=last_answers(detail),
        ):
            self.app.notify(f"Reopened {detail.session.title!r}", markup=False)
            self._say_lost(reopened.lost)

    async def rerun(
        self, session_id: str, prompt_id: str | None = None, *, other_models: bool = False
    ) -> None:
        """Send the prompt again to the same models, in a new session, once the person agreed to
        what it sends where (it is a paid request); with ``other_models``, leave it in the prompt
        box with the model list open, to choose and send."""
        plan = await (await self.store()).rerun_plan(session_id, prompt_id)
        if not other_models:
            question = rerun_question(plan.prompt, plan.models)

            async def agreed(yes: bool | None) -> None:
                if yes:
                    await self._rerun(plan, other_models=False)

            self.app.push_screen(
                ConfirmDialog(question, "Send", enter_confirms=True, variant="primary"), agreed
            )
            return
        await self._rerun(plan, other_models=True)

    async def _rerun(self, plan: RerunPlan, *, other_models: bool) -> None:
        """The prompt goes out again with its images (attached anew, so a draft lists them)."""
        workspace = await self._workspace()
        text = plan.prompt.text
        draft = text if other_models else None
        if not await workspace.continue_session(plan.conversation, list(plan.models), draft=draft):
            return
        self._say_lost(plan.lost)
        for image in plan.prompt.images:
            workspace.attach(Attachment(Path(image.path).name, image=image))
        if other_models:
            workspace.action_toggle_models(show=True)
            self.app.notify("Pick the models, then send the prompt (ctrl+g goes to it)")
        else:
            await workspace.send(text)

    async def fork(self, session_id: str, at: str) -> str:
        fork_id = await (await self.store()).fork(session_id, at)
        self.app.notify("Forked: the copy is at the top of the history")
        self.changed()
        return fork_id

    def rename(self, session_id: str, title: str) -> None:
        async def done(new: str | None) -> None:
            if new and new != title:
                await (await self.store()).rename(session_id, new)
                self.changed()

        self.app.push_screen(RenameDialog(title), done)

    def delete(self, session_id: str, title: str) -> None:
        async def done(yes: bool | None) -> None:
            if yes:
                await (await self.store()).delete([session_id])
                self.app.notify(f"Moved {title!r} to the trash (t shows it, u restores)")
                self.changed()

        question = f"Move {title!r} to the trash? (It can be restored from there.)"
        self.app.push_screen(ConfirmDialog(question, enter_confirms=True), done)

    async def restore(self, session_id: str) -> None:
        if await (await self.store()).restore([session_id]):
            self.app.notify("Restored")
            self.changed()

    def empty_trash(self) -> None:
        async def done(yes: bool | None) -> None:
            if yes:
                count = await (await self.store()).empty_trash()
                self.app.notify(f"Deleted {count} session(s) for good")
                self.changed()

        question = "Delete every session in the trash for good? This cannot be undone."
        self.app.push_screen(ConfirmDialog(question, "Empty trash"), done)

    def export(self, session_id: str, folder: Path | None = None) -> None:
        async def done(choice: tuple[str, Path] | None) -> None:
            if choice is None:
                return
            fmt, path = choice
            if path.exists():
                self.app.notify(f"{path} exists; choose a new name", severity="error", markup=False)
                return
            text = await (await self.store()).export([session_id], fmt)
            try:
                await asyncio.to_thread(_write_new, path, text)
            except OSError as exc:
                self.app.notify(str(exc), title="Not exported", severity="error", markup=False)
                return
            self.app.notify(f"Exported to {path}", markup=False)

        self.app.push_screen(ExportDialog(f"orch-tui-{session_id[:8]}", folder or Path.cwd()), done)

    def _say_lost(self, lost: Sequence[str]) -> None:
        """One note naming the earlier images a continued conversation goes on without."""
        note = lost_note(lost)
        if note is not None:
            self.app.notify(terminal_safe(note), severity="warning", timeout=15, markup=False)

    async def _workspace(self) -> WorkspaceScreen:
        """Back to the workspace (below the history screens), which is returned."""
        from orchestrator_tui.tui.screens.workspace import WorkspaceScreen

        screen = self.app.get_screen("workspace")
        assert isinstance(screen, WorkspaceScreen)
        workspace: WorkspaceScreen = screen
        while self.app.screen is not workspace and len(self.app.screen_stack) > 1:
            await self.app.pop_screen()
        if self.app.screen is not workspace:
            await self.app.push_screen(workspace)
        return workspace


def rerun_question(prompt: Message, models: tuple[str, ...], limit: int = 300) -> str:
    """What a rerun will send to which models, asked before it is sent."""
    text = prompt.text
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    count = f"{len(models)} model{'s' if len(models) != 1 else ''}"
    images = len(prompt.images)
    what = (
        f"this prompt and its {images} image{'s' if images != 1 else ''}"
        if images
        else "this prompt"
    )
    return f"Send {what} again to {count} ({', '.join(models)}) in a new session?\n\n{shown}"


def _write_new(path: Path, text: str) -> None:
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
