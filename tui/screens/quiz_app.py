"""`synack quiz`: the app opened straight on a quiz round."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import tui.app
from tui.app import SynackApp

if TYPE_CHECKING:
    from engine.quiz import Bank, RoundSettings


class QuizApp(SynackApp):
    """The game, with a round pushed over the main menu; leaving the round shows the menu."""

    CSS_PATH = str(Path(tui.app.__file__).with_name(SynackApp.CSS_PATH))  # not next to this module

    def __init__(self, settings: RoundSettings, bank: Bank | None = None, bank_name: str = "",
                 export: Path | None = None, **options: Any) -> None:
        super().__init__(seed=settings.seed, **options)
        self.quiz_settings = settings
        self.quiz_bank = bank
        self.quiz_bank_name = bank_name
        self.quiz_export = export

    def on_mount(self) -> None:  # Textual also runs SynackApp.on_mount (theme, notices)
        from tui.screens.quiz import QuizScreen

        self.push_screen(QuizScreen(self.quiz_settings, self.quiz_bank, self.quiz_bank_name,
                                    export=self.quiz_export))


def run_quiz_app(settings: RoundSettings, bank: Bank | None, bank_name: str, *, export: Path | None) -> int:
    QuizApp(settings, bank, bank_name, export).run()
    return 0
