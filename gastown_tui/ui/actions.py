"""The app's actions (what each binding does), kept apart from layout and event handling in app.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual.widgets import Input, TabbedContent, TextArea

from gastown_tui.ui.bindings import APP_BINDINGS, config_path
from gastown_tui.ui.panels.alerts import AlertSettings, read_alerts
from gastown_tui.ui.overseer_port import OverseerView
from gastown_tui.ui.panels.layout import default_layout
from gastown_tui.ui.panels.status import StatusHeader
from gastown_tui.ui.panels.tables import PatrolsTable
from gastown_tui.ui.panels.terminals import PaneTerminal, TerminalDeck
from gastown_tui.ui.screens.dialogs import (
    ConfirmDialog, compose_dialog, new_bead_dialog, new_convoy_dialog, nudge_dialog, reply_dialog, seance_dialog,
    sling_dialog,
)
from gastown_tui.ui.screens.bead_details import BeadDetails
from gastown_tui.ui.screens.form import Values
from gastown_tui.ui.screens.needs_you import NeedsYouScreen
from gastown_tui.ui.screens.help import HelpScreen
from widgets.activity_feed import ActivityFeed
from widgets.agent_list import AgentInfo, AgentList
from widgets.backlog import BacklogView
from widgets.needs_you import NeedsYouItem
from widgets.scrollback_search import CopyModeScreen, lines_of
from widgets.mail_list import MailList
from widgets.terminal_view import TerminalView

if TYPE_CHECKING:
    from gastown_tui.ui.app import GastownApp

    _Base = GastownApp
else:
    _Base = object


def relative_age(seconds: float) -> str:
    """'45s', '3m', '2h' (how long an agent has waited)."""
    s = max(0, int(seconds))
    return f"{s}s" if s < 60 else f"{s // 60}m" if s < 3600 else f"{s // 3600}h"


GATED_ACTIONS = frozenset(binding.action.split("(")[0] for binding in APP_BINDINGS)
"""Names of the app's own actions (the ones that must not fire under a dialog)."""


class ActionsMixin(_Base):
    """action_* methods for GastownApp: open a dialog, then hand the checked values to `run_command`."""

    alert_settings: AlertSettings | None = None
    """Bell / desktop notification on "needs you" (read from config.toml on first use; tests set it)."""

    def _agents(self) -> list[str]:
        return [agent.address for agent in self.snapshot.agents]

    def known_bead_ids(self) -> set[str]:
        """Every bead id the screen knows: tracked by a convoy, or open in the backlog."""
        ids = {bead.id for convoy in self.snapshot.convoys for bead in convoy.beads}
        ids.update(convoy.id for convoy in self.snapshot.convoys)
        ids.update(item.id for item in self.overseer.backlog)
        return ids

    def _rigs(self) -> list[str]:
        return sorted({agent.rig for agent in self.snapshot.agents if agent.rig})

    # -- work ----------------------------------------------------------------------------------------------

    def action_sling(self) -> None:
        """Sling the selected bead: pick a target; unknown targets are refused in the dialog."""
        targets = self.port.sling_targets()

        def done(values: Values | None) -> None:
            if values:
                runtime = values.get("runtime", "")
                extra = (runtime,) if runtime else ()  # ports without a runtime picker take two arguments
                self.run_command("Sling", self.port.sling, values["bead"], values["target"], *extra,
                                 success=f"{values['bead']} → {values['target']}" + (f" ({runtime})" if runtime
                                                                                      else ""))

        # No default target: slinging onto whichever agent happens to be selected is too easy to do by accident.
        beads = [item.id for item in self.overseer.backlog if item.status in ("open", "blocked")]
        read = getattr(self.port, "runtimes", None)
        runtimes = read() if callable(read) else []
        self.push_screen(sling_dialog(self.selected_bead or "", targets, blink=self.blink, beads=beads,
                                      runtimes=runtimes), done)

    def action_new_bead(self) -> None:
        """Create a bead."""

        def done(values: Values | None) -> None:
            if values:
                self.run_command("New bead", self.port.new_bead, values["title"], values["description"],
                                 values["rig"], success=f"Created '{values['title']}'")

        self.push_screen(new_bead_dialog(self._rigs(), blink=self.blink), done)

    def action_new_convoy(self) -> None:
        """Create a convoy tracking the selected bead (editable)."""

        def done(values: Values | None) -> None:
            if values:
                self.run_command("New convoy", self.port.new_convoy, values["title"], values["beads"].split(),
                                 success=f"Convoy '{values['title']}' created")

        known = self.known_bead_ids()
        self.push_screen(new_convoy_dialog(self.selected_bead or "", known.__contains__, suggestions=sorted(known),
                                           blink=self.blink), done)

    # -- agents -------------------------------------------------------------------------------------------------

    def action_nudge(self) -> None:
        """Nudge the selected agent; an empty message is refused in the dialog."""

        def done(values: Values | None) -> None:
            if values:
                # the engine reports delivery (or why it queued) as its own event, shown as a toast
                self.run_command("Nudge", self.port.nudge, values["agent"], values["message"])

        self.push_screen(nudge_dialog(self.selected_agent or "", self._agents(), blink=self.blink), done)

    def action_seance(self) -> None:
        """Ask the selected agent's predecessor a question."""

        def done(values: Values | None) -> None:
            if values:
                self.run_command("Séance", self.port.seance, values["agent"], values["question"],
                                 success="Asked; the answer arrives as mail")

        askable = self.overseer.askable
        self.push_screen(seance_dialog(self.selected_agent or "", self._agents(), blink=self.blink,
                                       askable=None if askable is None else askable.__contains__), done)

    def action_handoff(self) -> None:
        """Hand the selected agent's hook to a fresh session, after a confirm."""
        agent = self.selected_agent
        if not agent:
            self.notify("Select an agent first.", severity="warning")
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.run_command("Handoff", self.port.handoff, agent, success=f"{agent} handed off")

        self.push_screen(ConfirmDialog(f"Hand {agent}'s hook to a fresh session?", yes="Handoff",
                                       id="handoff-dialog"), done)

    def action_compose(self) -> None:
        """Compose mail (to the selected agent by default)."""
        recipients = ["mayor", *self._agents()]

        def done(values: Values | None) -> None:
            if values:
                self.run_command("Mail", self.port.send_mail, values["to"], values["subject"], values["body"],
                                 success=f"Sent to {values['to']}")

        self.push_screen(compose_dialog(self.selected_agent or "", list(dict.fromkeys(recipients)),
                                        blink=self.blink), done)

    def action_reply(self) -> None:
        """Reply to the mail selected in the inbox."""
        inbox = self.query_one(MailList)
        mail_id = inbox.selected_id
        item = next((m for m in self.snapshot.mail if m.id == mail_id), None)
        if item is None:
            self.notify("No mail selected.", severity="warning")
            return

        def done(values: Values | None) -> None:
            if values:
                self.run_command("Reply", self.port.reply_mail, item.id, values["body"],
                                 success=f"Replied to {item.sender}")

        self.push_screen(reply_dialog(item.subject, blink=self.blink), done)

    # -- the Overseer's day: backlog, needs you, stable numbers ---------------------------------------------------

    @property
    def overseer(self) -> OverseerView:
        """The last backlog / needs-you / numbers view (empty for ports that do not provide one)."""
        return getattr(self, "_overseer_view", OverseerView())

    def refresh_overseer(self) -> None:
        """Read the port's overseer view and hand each part to its widget; alert on agents that start waiting."""
        read = getattr(self.port, "overseer_view", None)
        view = read() if callable(read) else OverseerView()
        before = {w.address: w.state for w in self.overseer.waiting}
        self._overseer_view = view
        self.query_one(BacklogView).set_items(view.backlog)
        numbers = dict(view.numbers)
        self.query_one(AgentList).set_numbers(numbers)
        self.deck.numbers = numbers
        self.query_one(StatusHeader).set_needs_you(len(view.waiting))
        if isinstance(self.screen, NeedsYouScreen):
            self.screen.set_items(self.needs_you_items())
        fresh = [w for w in view.waiting if before.get(w.address) != w.state]
        if fresh and getattr(self, "_overseer_seen", False):
            self.alert_needs_you(fresh[0].name, fresh[0].state, fresh[0].why)
        self._overseer_seen = True

    def needs_you_items(self) -> list[NeedsYouItem]:
        """The needs-you rows, oldest first, with how long each has waited."""
        now = self.now()
        items = []
        for w in self.overseer.waiting:
            waited = relative_age(now - w.since) if w.since is not None else ""
            items.append(NeedsYouItem(w.address, w.name, w.state, w.why, waited,
                                      self.overseer.numbers.get(w.address, 0), w.state == "permission-prompt"))
        return items

    def alert_needs_you(self, name: str, state: str, why: str) -> None:
        """A toast always; the bell and a desktop notification (OSC 9 / OSC 777) when config.toml asks."""
        self.notify(f"{name}: {why}", title=f"Needs you: {state}", severity="warning", timeout=8)
        settings = getattr(self, "alert_settings", None)
        if settings is None:
            settings, problems = read_alerts(config_path())
            self.alert_settings = settings
            for problem in problems:
                self.notify(problem, title="Config", severity="warning")
        if settings.bell:
            self.bell()
        sequence = settings.desktop_sequence(f"Gas Town: {name} needs you", f"{state}: {why}")
        driver = getattr(self, "_driver", None)
        if sequence and driver is not None:
            driver.write(sequence)

    def action_needs_you(self) -> None:
        """The agents that need the Overseer; y/n answers a permission prompt, Enter opens the agent."""

        def done(address: str | None) -> None:
            if address:
                self.show_terminals()
                self.show_agent(address)

        self.push_screen(NeedsYouScreen(self.needs_you_items(), self.answer_permission), done)

    def answer_permission(self, address: str, approve: bool) -> None:
        """Send approve/deny to the agent (through the engine, which re-checks it is still at the prompt)."""
        send = getattr(self.port, "answer_permission", None)
        if not callable(send):
            self.notify("This engine cannot answer prompts: open the pane (Enter).", severity="warning")
            return
        verb = "Approve" if approve else "Deny"
        self.run_command(verb, send, address, approve, success=f"{address}: {verb.lower()}d")

    def on_backlog_view_highlighted(self, message: BacklogView.Highlighted) -> None:
        """A backlog bead is the sling subject."""
        self.selected_bead = message.bead_id

    def on_backlog_view_opened(self, message: BacklogView.Opened) -> None:
        """Enter on a backlog bead: its details (s there slings it)."""
        item = next((i for i in self.overseer.backlog if i.id == message.bead_id), None)
        if item is None:
            return
        self.selected_bead = item.id

        def done(sling: bool | None) -> None:
            if sling:
                self.action_sling()

        self.push_screen(BeadDetails(item), done)

    # -- panes ----------------------------------------------------------------------------------------------------

    @property
    def deck(self) -> TerminalDeck:
        """The terminals."""
        return self.query_one(TerminalDeck)

    def show_terminals(self) -> None:
        """On a narrow screen, put the terminals back where a tab replaced them."""
        self.screen.remove_class("-show-right")

    def action_focus_terminal(self) -> None:
        """Type into the current pane."""
        self.show_terminals()
        pane = self.deck.current_pane()
        body = pane.body if pane else None
        if isinstance(body, PaneTerminal):
            body.enter()
        else:
            self.notify("No live terminal in this pane.", severity="warning")

    def action_release_terminal(self) -> None:
        """Give focus back from a terminal to the agent list (and leave zoom)."""
        if self.screen.maximized is not None:
            self.screen.minimize()
        self.query_one(AgentList).query_one("OptionList").focus()

    def action_zoom(self) -> None:
        """Zoom the current pane (or the right-hand tabs, when focus is there) to the whole screen, or back."""
        if self.screen.maximized is not None:
            self.screen.minimize()
            if self._focus_before_zoom is not None and self._focus_before_zoom.is_attached:
                self._focus_before_zoom.focus()  # unzoom puts the Overseer back where they were
            return
        self._focus_before_zoom = self.focused
        tabs = self.query_one(TabbedContent)
        if self.focused is not None and tabs in self.focused.ancestors_with_self:
            self.screen.maximize(tabs, container=False)
            return
        pane = self.deck.current_pane()
        if pane is not None:
            self.screen.maximize(pane, container=False)

    def apply_default_layout(self, agents: Sequence[AgentInfo]) -> None:
        """Once, on the first snapshot with agents: the split that fits the live agents and the screen size
        (unless a layout was given or the Overseer already chose one with x)."""
        if self.initial_layout is not None or getattr(self, "_layout_chosen", False) or not agents:
            return
        self._layout_chosen = True
        live = sum(1 for agent in agents if agent.state != "dead")
        self.deck.layout_name = default_layout(self.size.width, self.size.height, live)

    def action_search_scrollback(self) -> None:
        """Search the current pane's scrollback."""
        self._open_copy_mode(search=True)

    def action_copy_mode(self) -> None:
        """Copy mode over the current pane's scrollback."""
        self._open_copy_mode(search=False)

    def _open_copy_mode(self, *, search: bool) -> None:
        pane = self.deck.current_pane()
        source = pane.source if pane is not None else None
        if pane is None or source is None or not pane.address:
            self.notify("No live terminal in this pane.", severity="warning")
            return
        name = pane.address.rsplit("/", 1)[-1]
        self.push_screen(CopyModeScreen(f"{name}: scrollback (frozen at {self.time_format(self.now())})",
                                        lines_of(source), search=search, blink=self.blink))

    def action_split(self) -> None:
        """Cycle the pane layout."""
        self._layout_chosen = True
        name = self.deck.cycle_layout()
        self.notify(f"Layout {name.replace('x', '×')}", timeout=2)

    def action_cycle(self, delta: int) -> None:
        """Show the next/previous agent in the current pane."""
        self.deck.cycle(delta)

    def action_jump(self, number: int) -> None:
        """Show agent N (list order) in the current pane."""
        address = self.query_one(AgentList).address_of(number)
        if address is not None:
            self.show_terminals()
            self.show_agent(address)
        else:
            self.notify(f"No agent {number}.", severity="warning", timeout=3)

    # -- views ------------------------------------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        """Switch the right-hand tab; on narrow screens the tabs are hidden until asked for (same key hides)."""
        tabs = self.query_one(TabbedContent)
        if self.screen.has_class("-narrow"):
            showing = self.screen.has_class("-show-right")
            self.screen.set_class(not (showing and tabs.active == tab), "-show-right")
        tabs.active = tab
        # The tab's content takes focus, so Down/Up move its selection instead of the convoy tree's.
        pane = tabs.get_pane(tab)
        focusable = [w for w in pane.query("*") if w.focusable]
        # a list or table before a filter line: app keys (s, Enter) act on rows; / moves to the filter
        target = next((w for w in focusable if not isinstance(w, Input)), focusable[0] if focusable else None)
        visible = not self.screen.has_class("-narrow") or self.screen.has_class("-show-right")
        if target is not None and visible:
            self.screen.set_focus(target)

    def action_toggle_feed_noise(self) -> None:
        """Show or hide routine patrol steps in the activity feed."""
        feed = self.query_one(ActivityFeed)
        feed.set_show_noise(not feed.show_noise)
        self.action_show_tab("feed")
        self.notify("Feed shows patrol steps" if feed.show_noise else
                    f"Feed hides patrol steps ({feed.entries_hidden} hidden)", timeout=3)

    def _selected_patrol(self) -> str | None:
        name = self.query_one(PatrolsTable).selected_name
        if name is None:
            self.notify("No patrol selected.", severity="warning")
        return name

    def action_toggle_patrol(self) -> None:
        """Pause or resume the patrol under the cursor."""
        name = self._selected_patrol()
        if name is None:
            return
        paused = next((p.paused for p in self.snapshot.patrols if p.name == name), False)
        self.action_show_tab("patrols")
        self.run_command("Patrol", self.port.pause_patrol, name, not paused,
                         success=f"{name} {'resumed' if paused else 'paused'}")

    def action_run_patrol(self) -> None:
        """Run the patrol under the cursor now."""
        name = self._selected_patrol()
        if name is not None:
            self.action_show_tab("patrols")
            self.run_command("Patrol", self.port.run_patrol, name, success=f"{name} running")

    def action_help(self) -> None:
        """The help screen (every binding, with its id for the keymap)."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.BINDINGS, self.keymap))

    def action_quit_app(self) -> None:
        """Quit asks Detach (default) / Stop all / Cancel (EngineLinkMixin.ask_quit)."""
        self.ask_quit()  # type: ignore[attr-defined]

    async def action_quit(self) -> None:
        """Textual's own quit (palette "Quit", ctrl+q) takes the same path."""
        self.action_quit_app()

    def action_help_quit(self) -> None:
        """Ctrl+C outside a text field: say how to quit (Textual's version of this toast uses markup)."""
        self.notify("Press q to quit (it asks first while agents run).", title="Do you want to quit?")

    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = False) -> None:
        """A toast whose text is never parsed as markup: bead titles, agent output and errors are shown as-is."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        """Our app actions only apply on the main screen (dialogs have their own keys); Textual's own
        (focus_next for Tab, the palette, quit …) are never blocked here."""
        if action in ("help", "release_terminal") or action not in GATED_ACTIONS:
            return True
        if action == "focus_terminal" and isinstance(self.focused, (TerminalView, Input, TextArea)):
            return False  # a priority binding: `i` typed into a pane or a text field is just the letter i
        return len(self.screen_stack) <= 1
