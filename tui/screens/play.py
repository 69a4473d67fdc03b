"""The play screen: the ladder, the inspector, the move picker and the feedback line.

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
from textual.widgets import Footer, Input

from engine.referee import Referee, RefereeEvent
from tui import messages
from tui.widgets.feedback import FeedbackLine
from tui.widgets.inspector import FieldTree, Inspector
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
    Binding("escape", "escape", "ladder"),
    Binding("question_mark", "help", "help", key_display="?"),
    Binding("q", "leave", "back"),
]


class PlayScreen(Screen[None]):
    """Play one level against the referee."""

    BINDINGS: ClassVar[list[BindingType]] = PLAY_BINDINGS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

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
    def nav(self) -> Navigator:
        return cast("Navigator", self.app)

    def compose(self) -> ComposeResult:
        yield PlayHeader(id="play-header")
        with Horizontal(id="play-main"):
            with Vertical(id="ladder-pane"):
                yield LadderHeading(id="ladder-heading")
                yield LadderView(id="ladder")
            yield Inspector(id="inspector")
        yield MovePicker(id="move-picker")
        yield FeedbackLine(id="feedback")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ladder-pane").border_title = "ladder"
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
            protocol=str(self.level.protocol).upper(),
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
            return isinstance(self.focused, Input) or self.has_class("-inspecting")
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
        inspecting = not self.has_class("-inspecting")
        self.set_class(inspecting, "-inspecting")
        self.refresh_bindings()
        if inspecting:
            self.query_one(FieldTree).focus()
        else:
            self.query_one(LadderView).focus()

    def action_escape(self) -> None:
        self.remove_class("-inspecting")
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
            ("h", "a hint: 1 nudge, 2 rule, 3 answer (each costs points)"),
            ("?", "this help"),
            ("q", "back to the level list (this game is not saved)"),
        ]

    def action_leave(self) -> None:
        self.app.pop_screen()
