"""Choose the profile: the default one and every created one, the one in use marked; a name typed
below creates a new one.

Choosing another profile only asks for the switch (``Chosen``): its configuration, history and
vault are what the app's services were opened from, so the app opens again in it.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from orchestrator_tui.config.paths import PROFILE_NAME_RULE, Paths, check_profile_name
from orchestrator_tui.config.profiles import create_profile, profile_names

DEFAULT = "default"
"""How the default profile (``None``, whose files sit directly in the folders) is listed."""


class ProfilePicker(Vertical):
    """Posts ``Chosen`` when Enter is pressed on a profile other than the one in use."""

    HELP = """The profiles: each has its own settings overlay, history and keys. Enter on one
    opens the app again in it (answers streaming now are cancelled and kept, as on quit). Type a
    new name (on the list or in the field below it) and press Enter to create a profile."""

    class Chosen(Message):
        def __init__(self, profile: str | None) -> None:
            super().__init__()
            self.profile = profile
            """The profile to open; ``None`` is the default one."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paths: Paths | None = None
        self._profiles: list[str | None] = []
        """The profiles listed, in order (``None``: the default one)."""
        self._said = ""

    def compose(self) -> ComposeResult:
        yield OptionList(id="profile-list")
        yield Input(
            id="new-profile", placeholder="New profile name, then Enter", select_on_focus=False
        )
        yield Static(id="profile-message")

    def on_mount(self) -> None:
        self.border_title = "Profile"

    def show(self, paths: Paths, highlight: str | None = None) -> None:
        """List the profiles of ``paths``; the one in use is marked (and highlighted, unless
        ``highlight`` names another)."""
        self.paths = paths
        self._profiles = [None, *profile_names(paths)]  # the one in use exists (Paths.default)
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(
            Option(_label(name or DEFAULT, name == paths.profile)) for name in self._profiles
        )
        listing.highlighted = self._profiles.index(highlight or paths.profile)
        self._say("", "ok")  # what was said on an earlier visit is over

    @on(OptionList.OptionSelected, "#profile-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.paths is None:
            return
        profile = self._profiles[event.option_index]
        if profile == self.paths.profile:
            self._say(f"Profile {profile or DEFAULT} is the one in use.", "ok")
            return
        self._say(f"Opening profile {profile or DEFAULT}…", "ok")
        self.post_message(self.Chosen(profile))

    @on(Input.Submitted, "#new-profile")
    def _create(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if self.paths is None:
            return
        if not name:
            self._say("Type a name for the new profile first.", "warning")
            return
        try:
            check_profile_name(name)
        except ValueError:  # not repeated: a key pasted into the wrong field stays off the line
            self._say(f"Not a profile name: {PROFILE_NAME_RULE}.", "error")
            return
        try:
            create_profile(self.paths, name)
        except (ValueError, OSError) as exc:
            self._say(str(exc), "error")
            return
        event.input.clear()
        self.show(self.paths, highlight=name)
        self.query_one(OptionList).focus()
        # said once the list has the focus (queued after it), so an Enter on reading it opens
        self.app.call_later(self._say, f"Created {name}: Enter opens it.", "ok")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is self.query_one(OptionList) and not self._said:  # never hide news
            self._say("Enter opens this profile; type a name to create one.", "hint")

    def on_key(self, event: events.Key) -> None:
        """What is typed on the list goes into the new profile's field, as typed (the list has
        no use for characters), so typing is never lost."""
        field = self.query_one("#new-profile", Input)
        if field.has_focus or not event.is_printable or event.character is None:
            return
        event.stop()
        field.focus()
        field.insert_text_at_cursor(event.character)

    def _say(self, message: str, level: str) -> None:
        self._said = message
        line = self.query_one("#profile-message", Static)
        line.update(Content(message))
        line.set_classes(f"-{level}")


def _label(name: str, active: bool) -> Content:
    if active:
        return Content.assemble(("● ", "$success"), name, (" (in use)", "$text-muted"))
    return Content.assemble("  ", name)
