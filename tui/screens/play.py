"""The play screen: the ladder, the inspector (and for TLS the keys), the move picker and
the feedback line.

The screen owns one `Referee` for its level. Every call into it goes through `_referee_call`,
which turns any failure into a feedback line: no traceback reaches the player. The events a
call returns are posted as Textual messages (`tui.messages.from_event`) and handled below,
in order, each by updating one widget. Game state is read back from the referee (the single
source of truth), never from the widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Select

from engine.referee import Referee, RefereeEvent
from tui import messages
from tui.widgets.feedback import FeedbackLine
from tui.widgets.inspector import FieldTree, Inspector
from tui.widgets.keys_model import next_protection, short_name
from tui.widgets.keys_panel import KeysPanel, KeyTree
from tui.widgets.ladder import LadderHeading, LadderView
from tui.widgets.move_picker import MovePicker
from tui.widgets.play_header import HeaderInfo, PlayHeader
from tui.widgets.prose import reflow

if TYPE_CHECKING:
    from engine.levels import Level
    from tui.screens._nav import Navigator

T = TypeVar("T")

PLAY_BINDINGS: list[BindingType] = [
    Binding("1", "choose(1)", "choose", key_display="1-9"),
    *(Binding(str(n), f"choose({n})", f"choose {n}", show=False) for n in range(2, 10)),
    Binding("enter", "send", "send"),
    Binding("h", "hint", "hint"),
    Binding("i", "inspect", "bytes"),
    Binding("k", "keys", "keys"),
    Binding("w", "wire", "wire"),
    Binding("escape", "escape", "ladder"),
    Binding("question_mark", "help", "help", key_display="?"),
    Binding("q", "leave", "back"),
]


def protocol_title(protocol: str) -> str:
    """The protocol as a player reads it: tls13 → TLS 1.3, tcp+tls12 → TCP+TLS 1.2."""
    return protocol.upper().replace("TLS13", "TLS 1.3").replace("TLS12", "TLS 1.2")


class PlayScreen(Screen[None]):
    """Play one level against the referee."""

    BINDINGS: ClassVar[list[BindingType]] = PLAY_BINDINGS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]

    def __init__(
        self,
        level: Level,
        *,
        seed: int | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.level = level
        kwargs = {} if clock is None else {"clock": clock}
        self.referee = Referee(level, seed=seed, **kwargs)
        self._failed = False

    @property
    def is_tls(self) -> bool:
        """TLS levels have keys: the keys pane, the wire view and locks on the ladder."""
        return "tls" in str(self.level.protocol)  # "tls13", "tls12", "tcp+tls13", ...

    @property
    def nav(self) -> Navigator:
        return cast("Navigator", self.app)

    def compose(self) -> ComposeResult:
        yield PlayHeader(id="play-header")
        with Horizontal(id="play-main"):
            with Vertical(id="ladder-pane"):
                yield LadderHeading(id="ladder-heading")
                yield LadderView(id="ladder")
            with Vertical(id="side-pane"):
                yield Inspector(tls13=str(self.level.protocol).endswith("tls13"), id="inspector")
                yield KeysPanel(id="keys")
        yield MovePicker(id="move-picker")
        yield FeedbackLine(id="feedback")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ladder-pane").border_title = "ladder"
        self.set_class(self.is_tls, "-tls")
        if self.is_tls:
            self.query_one(Inspector).border_subtitle = "w wire · k keys"
            self.query_one(KeysPanel).border_subtitle = "i bytes · esc ladder"
            self._refresh_protection()
        ladder = self.query_one(LadderView)
        ladder.set_initial_states(self.referee.sides)
        self.query_one(LadderHeading).sides = self.referee.sides
        self.query_one(FeedbackLine).show_info(f"Goal: {reflow(self.level.goal)}")
        self._post_events(self._referee_call(self.referee.start, []))
        self._refresh_header()
        self.set_interval(1.0, self._refresh_header)
        ladder.focus()

    # --- talking to the referee ---------------------------------------------------------

    def _referee_call(self, call: Callable[[], T], fallback: T) -> T:
        """Call the referee; on any failure show it on the feedback line, never a traceback."""
        try:
            return call()
        except Exception as error:  # the UI's edge: nothing may escape to the player
            self.log.error(f"referee call failed: {error!r}")
            self.query_one(FeedbackLine).show_problem(
                f"The referee could not do that: {error}. Try another move, or q to leave."
            )
            return fallback

    def _post_events(self, events: list[RefereeEvent]) -> None:
        for event in events:
            self.post_message(messages.from_event(event))

    def _refresh_header(self) -> None:
        score = self._referee_call(self.referee.score, None)
        position = self.nav.level_position(self.level)
        self.query_one(PlayHeader).info = HeaderInfo(
            protocol=protocol_title(str(self.level.protocol)),
            position=f"{position[0]}/{position[1]}" if position else "custom",
            title=self.level.title,
            role=self.referee.player.title,
            points=score.points if score else 0,
            mistakes=score.mistakes if score else 0,
            hints=score.hints_used if score else 0,
            seconds=score.seconds if score else 0.0,
        )

    # --- engine events, as messages -----------------------------------------------------

    @on(messages.SegmentSent)
    def _segment_sent(self, message: messages.SegmentSent) -> None:
        self.query_one(LadderView).add_entry(message.entry)
        if self.is_tls:
            self._refresh_protection()

    @on(messages.SecretLearnedMessage)
    def _secret_learned(self, message: messages.SecretLearnedMessage) -> None:
        self.query_one(KeysPanel).add_secret(message.secret)
        self._refresh_protection()

    def _refresh_protection(self) -> None:
        """Say, in the keys pane and on the move box, which key protects the next record."""
        key = next_protection(self.referee.player, self.referee.secrets, self.referee.ladder)
        self.query_one(KeysPanel).show_protection(key)
        words = "clear" if key is None else f"🔒 {short_name(key)}"
        self.query_one(MovePicker).border_subtitle = f"next record you send: {words}"

    @on(messages.SideStateChanged)
    def _state_changed(self, message: messages.SideStateChanged) -> None:
        self.query_one(LadderView).add_state(message.side, message.new)
        self.query_one(LadderHeading).sides = self.referee.sides

    @on(messages.TurnStarted)
    async def _turn_started(self, message: messages.TurnStarted) -> None:
        self.query_one(LadderView).your_turn = self.referee.player
        await self.query_one(MovePicker).set_turn(message.turn)
        self.refresh_bindings()

    @on(messages.MoveJudgedMessage)
    def _move_judged(self, message: messages.MoveJudgedMessage) -> None:
        self.query_one(FeedbackLine).show_judgement(message.judgement)
        self._refresh_header()

    @on(messages.Narrated)
    def _narrated(self, message: messages.Narrated) -> None:
        self.query_one(LadderView).add_note(message.text)

    @on(messages.LevelFinished)
    async def _level_finished(self, message: messages.LevelFinished) -> None:
        from tui.screens.summary import SummaryScreen

        self.query_one(LadderView).your_turn = None
        await self.query_one(MovePicker).set_turn(None, idle="✓ Level complete.")
        self.query_one(LadderHeading).sides = self.referee.sides
        self._refresh_header()
        self.refresh_bindings()
        best, new_best = self.nav.record_result(self.level, message.score)
        following = self.nav.next_level(self.level)
        summary = SummaryScreen(
            self.level,
            message.score,
            message.debrief,
            seed=self.referee.seed,
            next_title=following.title if following else None,
            best_stars=best.stars,
            new_best=new_best,
        )
        self.app.push_screen(summary, callback=self._after_summary)

    def _after_summary(self, choice: str | None) -> None:
        following = self.nav.next_level(self.level)
        if choice == "next" and following is not None:
            self.app.pop_screen()
            self.nav.start_level(following)
        elif choice == "retry":
            self.app.pop_screen()
            self.nav.start_level(self.level)
        elif choice == "list":
            self.app.pop_screen()

    # --- widgets' messages --------------------------------------------------------------

    @on(LadderView.EntrySelected)
    def _entry_selected(self, message: LadderView.EntrySelected) -> None:
        self.query_one(Inspector).show_entry(message.entry)

    @on(MovePicker.MoveSubmitted)
    def _move_submitted(self, message: MovePicker.MoveSubmitted) -> None:
        if self.referee.finished or self.referee.turn is None:
            return
        no_events: list[RefereeEvent] = []
        events = self._referee_call(lambda: self.referee.play(message.move), no_events)
        self._post_events(events)
        if events:  # back to the ladder, to watch the answer arrive
            self.action_escape()

    @on(MovePicker.Incomplete)
    def _move_incomplete(self, message: MovePicker.Incomplete) -> None:
        self.query_one(FeedbackLine).show_problem(message.text)

    # --- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("choose", "send", "hint") and self.referee.finished:
            return None  # shown greyed out: the level is over
        if action == "escape":  # only worth showing when it does something
            in_form = isinstance(self.focused, (Input, Select, Button))
            return in_form or self.has_class("-inspecting") or self.has_class("-keys")
        if action in ("keys", "wire"):
            return self.is_tls
        return True

    async def action_choose(self, number: int) -> None:
        await self.query_one(MovePicker).choose(number)

    def action_send(self) -> None:
        self.query_one(MovePicker).submit()

    def action_hint(self) -> None:
        if self.referee.turn is None:
            return
        hint = self._referee_call(self.referee.hint, None)
        feedback = self.query_one(FeedbackLine)
        if hint is None:
            feedback.show_info("No more hints for this turn: the last one gave the answer.")
        else:
            feedback.show_hint(hint)
        self._refresh_header()

    def action_inspect(self) -> None:
        self._show_pane("-inspecting", FieldTree)

    def action_keys(self) -> None:
        self._show_pane("-keys", KeyTree)

    def _show_pane(self, pane: str, focus: type[FieldTree] | type[KeyTree]) -> None:
        """Swap a side pane in (at 80 columns it takes the ladder's place) or back out."""
        showing = not self.has_class(pane)
        self.remove_class("-inspecting", "-keys")
        self.set_class(showing, pane)
        self.refresh_bindings()
        if showing:
            self.query_one(focus).focus()
        else:
            self.query_one(LadderView).focus()

    def action_wire(self) -> None:
        if not self.query_one(Inspector).toggle_wire():
            self.query_one(FeedbackLine).show_info(
                "Select a TLS record on the ladder first: w shows its bytes as sent."
            )

    def action_escape(self) -> None:
        self.remove_class("-inspecting", "-keys")
        self.refresh_bindings()
        self.query_one(LadderView).focus()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.help_rows()))

    def help_rows(self) -> list[tuple[str, str]]:
        return [
            ("1-9", "choose a move (a move with fields opens a small form)"),
            ("enter", "send the chosen move"),
            ("tab / shift+tab", "next / previous field or pane"),
            ("esc", "leave the form, back to the ladder"),
            ("↑ ↓", "select a message on the ladder (the inspector follows)"),
            ("i", "inspect the selected message: fields and bytes"),
            ("w", "TLS: the wire bytes (the record as sent, ciphertext included) or the message"),
            ("k", "TLS: the key schedule, and which key protects your next record"),
            ("h", "a hint: 1 nudge, 2 rule, 3 answer (each costs points)"),
            ("?", "this help"),
            ("q", "back to the level list (this game is not saved)"),
        ]

    def action_leave(self) -> None:
        self.app.pop_screen()
