"""The play screen: the ladder, the inspector (and for TLS the keys), the move picker and
the feedback line.

The screen owns one `Referee` for its level. Every call into it goes through `_referee_call`,
which turns any failure into a feedback line: no traceback reaches the player. The events a
call returns are posted as one `RefereeAnswered` message (`tui.messages.answer`) and applied
below in one batch update: each event's message is handled in order by feeding one widget,
then `_settle` does once what the whole answer needs (lay out the ladder and select the
newest arrow, show it in the inspector, say which key protects the next record, update the
header). So a flight of ten messages costs one layout and one paint. Game state is read
back from the referee (the single source of truth), never from the widgets.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cached_property
from inspect import isawaitable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Input, Select

from engine.referee import Referee, RefereeEvent
from tui import messages
from tui.gc_settle import settle
from tui.screens.one_frame import OneFrame
from tui.widgets.border_title import retitle
from tui.widgets.feedback import FeedbackLine
from tui.widgets.inspector import FieldTree, Inspector
from tui.widgets.keys_model import next_protection, short_name
from tui.widgets.keys_panel import KeysPanel, KeyTree
from tui.widgets.ladder import LADDER_LEGEND, LadderHeading, LadderView
from tui.widgets.move_picker import MovePicker
from tui.widgets.play_header import HeaderInfo, PlayHeader, protocol_title
from tui.widgets.prose import reflow

if TYPE_CHECKING:
    from engine.levels import Level
    from engine.referee.compare import Figures
    from tui.screens._nav import Navigator

T = TypeVar("T")
COMPARE_CHAPTER = "Compare"

PLAY_BINDINGS: list[BindingType] = [
    Binding("1", "choose(1)", "choose", key_display="1-9",
            tooltip="choose a move (a move with fields opens a small form)"),
    *(Binding(str(n), f"choose({n})", "choose", show=False) for n in range(2, 10)),
    Binding("enter", "send", "send", tooltip="send the chosen move"),
    Binding("h", "hint", "hint", tooltip="a hint: 1 nudge, 2 rule, 3 answer (each costs points)"),
    Binding("i", "inspect", "bytes",
            tooltip="inspect the selected message: its fields beside its bytes"),
    Binding("k", "keys", "keys",
            tooltip="TLS: the key schedule, and which key protects your next record"),
    Binding("w", "wire", "wire",
            tooltip="TLS: the record as sent (ciphertext included) or the message inside"),
    Binding("escape", "escape", "ladder", tooltip="leave the form or pane, back to the ladder"),
    Binding("x", "save_capture", "save for Wireshark", show=False,
            tooltip="this game so far, mistakes included, as a .pcapng capture and its TLS key log"),
    Binding("question_mark", "app.help", "help", key_display="?",
            tooltip="this help: every key of the screen"),
    Binding("q", "leave", "back", tooltip="back to the level list (this game is not saved)"),
    Binding("t", "app.toggle_theme", "theme", show=False,
            tooltip="switch between the dark and the light theme"),
]


class PlayScreen(OneFrame):
    """Play one level against the referee."""

    HELP_TITLE = "play"
    HELP_LEGEND = LADDER_LEGEND
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
        self._suggestion: Level | None = None  # set when the level ends

    @property
    def is_tls(self) -> bool:
        """TLS levels have keys: the keys pane, the wire view and locks on the ladder."""
        return "tls" in str(self.level.protocol)  # "tls13", "tls12", "tcp+tls13", ...

    @property
    def nav(self) -> Navigator:
        return cast("Navigator", self.app)

    # The panes a referee answer feeds event by event (forty events for a TLS flight):
    # found once, not looked up at every event.
    @cached_property
    def _ladder(self) -> LadderView:
        return self.query_one(LadderView)

    @cached_property
    def _keys(self) -> KeysPanel:
        return self.query_one(KeysPanel)

    def compose(self) -> ComposeResult:
        yield PlayHeader(id="play-header")
        with Horizontal(id="play-main"):
            with Vertical(id="ladder-pane"):
                yield LadderHeading(id="ladder-heading")
                yield LadderView(id="ladder")
            with Vertical(id="side-pane"):
                yield Inspector(tls=self.is_tls, tls13=str(self.level.protocol).endswith("tls13"), id="inspector")
                yield KeysPanel(id="keys")
        yield MovePicker(id="move-picker")
        yield FeedbackLine(id="feedback")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ladder-pane").border_title = "ladder"
        self.set_class(self.is_tls, "-tls")
        if self.is_tls:
            self.query_one(Inspector).border_subtitle = "w wire · k keys"
            self._keys.border_subtitle = "i bytes · esc ladder"
            self._refresh_protection()
        ladder = self._ladder
        ladder.set_initial_states(self.referee.sides)
        self.query_one(LadderHeading).sides = self.referee.sides
        self.query_one(FeedbackLine).show_info(f"Goal: {reflow(self.level.goal)}")
        self._post_events(self._referee_call(self.referee.start, []))
        self._refresh_header()
        self.set_interval(1.0, self._refresh_header)
        ladder.focus()
        self.call_after_refresh(settle)  # the old screens' garbage, out of the moves' way

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
        if events:
            self.post_message(messages.answer(events))

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

    @on(messages.RefereeAnswered)
    async def _answered(self, answer: messages.RefereeAnswered) -> None:
        """Apply one referee answer: every message in order, then `_settle`, all in one
        batch update (the screen is laid out and painted once, at the end)."""
        answer.stop()  # the screen's own: nothing above it listens
        handlers: dict[type[Message], Callable[[Any], Awaitable[None] | None]] = {
            messages.SegmentSent: self._segment_sent,
            messages.SecretLearnedMessage: self._secret_learned,
            messages.SideStateChanged: self._state_changed,
            messages.TurnStarted: self._turn_started,
            messages.MoveJudgedMessage: self._move_judged,
            messages.Narrated: self._narrated,
        }
        finished: messages.LevelFinished | None = None
        with self.app.batch_update():
            for message in answer.messages:
                if isinstance(message, messages.LevelFinished):
                    finished = message  # handled once the screen has settled, below
                    continue
                result = handlers[type(message)](message)
                if isawaitable(result):
                    await result
            self._settle()
        if finished is not None:
            await self._level_finished(finished)

    def _settle(self) -> None:
        """Once per answer: the ladder laid out, its newest arrow in the inspector, the
        sides' states, the key for the next record and the header."""
        arrived = self._ladder.flush()
        if arrived is not None:
            self.query_one(Inspector).show_entry(arrived)
        self.query_one(LadderHeading).sides = self.referee.sides
        if self.is_tls:
            self._keys.flush()
            self._refresh_protection()
        self._refresh_header()

    def _segment_sent(self, message: messages.SegmentSent) -> None:
        self._ladder.add_entry(message.entry)

    def _secret_learned(self, message: messages.SecretLearnedMessage) -> None:
        self._keys.add_secret(message.secret)

    def _refresh_protection(self) -> None:
        """Say, in the keys pane and on the move box, which key protects the next record."""
        key = next_protection(self.referee.player, self.referee.secrets, self.referee.ladder)
        self._keys.show_protection(key)
        words = "clear" if key is None else f"🔒 {short_name(key)}"
        retitle(self.query_one(MovePicker), f"next record you send: {words}", subtitle=True)

    def _state_changed(self, message: messages.SideStateChanged) -> None:
        self._ladder.add_state(message.side, message.new)

    async def _turn_started(self, message: messages.TurnStarted) -> None:
        self._ladder.your_turn = self.referee.player
        await self.query_one(MovePicker).set_turn(message.turn)

    def _move_judged(self, message: messages.MoveJudgedMessage) -> None:
        self.query_one(FeedbackLine).show_judgement(message.judgement)

    def _narrated(self, message: messages.Narrated) -> None:
        self._ladder.add_note(message.text)

    async def _level_finished(self, message: messages.LevelFinished) -> None:
        from tui.screens.summary import SummaryScreen

        ladder = self._ladder
        ladder.your_turn = None
        ladder.flush()
        await self.query_one(MovePicker).set_turn(None, idle="✓ Level complete.")
        self.refresh_bindings()  # moves and hints are over: shown greyed out
        best, new_best = self.nav.record_result(self.level, message.score)
        self._suggestion = self.nav.suggested_level()
        following = self.nav.following_level(self.level)
        summary = SummaryScreen(
            self.level,
            message.score,
            message.debrief,
            seed=self.referee.seed,
            next_title=self._suggestion.title if self._suggestion else None,
            next_skips_back=self._suggestion is not None
            and (following is None or self._suggestion.id != following.id),
            best_stars=best.stars,
            new_best=new_best,
            comparison=self._comparison(),
        )
        self.app.push_screen(summary, callback=self._after_summary)

    def _comparison(self) -> tuple[Figures, Figures] | None:
        """Compare levels end with two runs counted side by side (the twin run is played
        here, once, under the same seed)."""
        if self.level.chapter != COMPARE_CHAPTER:
            return None
        from engine.referee.compare import compare

        return self._referee_call(lambda: compare(self.level, self.referee), None)

    def _after_summary(self, choice: str | None) -> None:
        """Enter ("next") goes to the suggested level: the first one not finished yet."""
        if choice == "next" and self._suggestion is not None:
            self.app.pop_screen()
            self.nav.start_level(self._suggestion)
        elif choice == "retry":
            self.app.pop_screen()
            self.nav.start_level(self.level)
        elif choice in ("list", "next"):
            self.app.pop_screen()

    # --- widgets' messages --------------------------------------------------------------

    @on(LadderView.EntrySelected)
    def _entry_selected(self, message: LadderView.EntrySelected) -> None:
        self.query_one(Inspector).show_entry(message.entry)

    @on(MovePicker.MoveSubmitted)
    def _move_submitted(self, message: MovePicker.MoveSubmitted) -> None:
        message.stop()
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
            self._ladder.focus()

    def action_wire(self) -> None:
        if not self.query_one(Inspector).toggle_wire():
            self.query_one(FeedbackLine).show_info(
                "Select a TLS record on the ladder first: w shows its bytes as sent."
            )

    def action_escape(self) -> None:
        if self.has_class("-inspecting") or self.has_class("-keys"):
            self.remove_class("-inspecting", "-keys")
            self.refresh_bindings()
        ladder = self._ladder
        if not ladder.has_focus:  # focus() repaints the whole ladder, even if it has it
            ladder.focus()

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_save_capture(self) -> None:
        """Save the game so far for Wireshark: in this folder, else in synack's data folder."""
        from engine.export import ExportError, save_game

        store = getattr(self.app, "store", None)  # the progress store knows synack's data folder
        try:
            pcap, keylog = save_game(self.referee, store.directory if store is not None else None)
        except Exception as error:  # ExportError says why; anything else is a bug: never a traceback
            why = str(error) if isinstance(error, ExportError) else f"a bug in synack: {error!r}"
            self.notify(why, title="capture not saved", severity="error", timeout=10)
        else:
            keys = f"\nkey log: {keylog.name}" if keylog is not None else ""
            self.notify(f"{pcap}{keys}", title="saved for Wireshark", timeout=10)
