"""The `quiz` subcommand of `synack`: a timed round in the app, or a handout on stdout.

`tui/cli.py` hooks it in with `add_commands(subparsers)` and runs it with `run(args)`.
Only argparse is imported here; the engine (and the app) load when the command runs.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("quiz",)
TOPIC_CHOICES = ("tcp", "tls12", "tls13", "all")
DEFAULT_MINUTES = 2.0
DEFAULT_QUESTION_SECONDS = 30.0
DEFAULT_PRINTED = 10

DESCRIPTION = """\
A timed quiz drawn from real handshakes: every question comes from a TCP, TLS 1.2 or TLS 1.3
connection the engine plays with the round's seed (its numbers, states, keys and alerts are
read off that run). Answer with 1-4, by typing a number or a name, or by typing an order.
The same --seed gives everyone the same questions in the same order."""

EPILOG = """\
examples:
  synack quiz                                  a two-minute round, all topics
  synack quiz --questions 10 --topic tcp       ten TCP questions, 30 s each
  synack quiz --seed 42 --export result.json   the class's round; the result as JSON
  synack quiz --print --seed 42 --questions 10 the same round with an answer key (--json too)
  synack quiz --bank week3.toml                an instructor's questions (and their settings)

exit status: 0 ok, 1 a bank or a file could not be used, 2 bad usage"""


def positive_int(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 200:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number from 1 to 200")
    return int(text)


def minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number of minutes, e.g. 2 or 0.5") from None
    if not 0 < value <= 120:
        raise argparse.ArgumentTypeError(f"{text!r}: expected more than 0 and at most 120 minutes")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text.removesuffix("s"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number of seconds, e.g. 30") from None
    if not 5 <= value <= 600:
        raise argparse.ArgumentTypeError(f"{text!r}: expected 5 to 600 seconds")
    return value


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    quiz: argparse.ArgumentParser = commands.add_parser(
        "quiz", help="a timed quiz drawn from real handshakes", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    length = quiz.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=minutes, metavar="M",
                        help=f"one countdown for the whole round (default: {DEFAULT_MINUTES:g} minutes)")
    length.add_argument("--questions", type=positive_int, metavar="N",
                        help=f"N questions, each with its own countdown (default {DEFAULT_QUESTION_SECONDS:g} s)")
    quiz.add_argument("--seconds-per-question", type=seconds, metavar="S",
                      help="the countdown of each question (with --questions, or on top of --minutes)")
    quiz.add_argument("--topic", choices=TOPIC_CHOICES, help="only TCP, TLS 1.2 or TLS 1.3 questions (default: all)")
    quiz.add_argument("--seed", type=int, dest="quiz_seed", metavar="S",
                      help="the round's seed: the same seed gives the same questions (default: a random one)")
    quiz.add_argument("--bank", type=Path, metavar="FILE.toml",
                      help="an instructor's question bank (its [round] settings apply unless flags say otherwise)")
    quiz.add_argument("--print", action="store_true", dest="print_round",
                      help="print the round's questions and the answer key instead of playing")
    quiz.add_argument("--json", action="store_true", help="with --print: as JSON")
    quiz.add_argument("--export", type=Path, metavar="FILE",
                      help="when the round ends, write the result (seed, answers, times, score) as JSON here")


def run(args: argparse.Namespace) -> int:
    """Play or print a round; the exit status. Nothing but one line reaches the user on failure."""
    if args.json and not args.print_round:
        print("synack quiz: --json goes with --print", file=sys.stderr)
        return 2
    if args.export is not None and args.print_round:
        print("synack quiz: --export is for a played round, not with --print", file=sys.stderr)
        return 2
    from engine.quiz import QuizBankError, QuizError

    try:
        try:
            settings, bank, bank_name = _settings(args)
        except QuizBankError as error:
            print("\n".join(error.problems), file=sys.stderr)
            return 1
        if args.print_round:
            return _print(settings, bank, bank_name, as_json=args.json)
        from tui.screens.quiz_app import run_quiz_app

        return run_quiz_app(settings, bank, bank_name, export=args.export)
    except QuizError as error:
        print(f"synack quiz: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise
    except Exception as error:  # a bug: still one line, never a traceback (ARCHITECTURE.md)
        print(f"synack quiz: internal error (a bug in synack): {type(error).__name__}: {error}", file=sys.stderr)
        return 1


def _settings(args: argparse.Namespace) -> tuple[Any, Any, str]:
    from engine.quiz import RoundSettings, load_bank
    from engine.quiz.bank import bank_topics

    bank, bank_name = (load_bank(args.bank) if args.bank is not None else (None, ""))
    planned = bank.round if bank is not None else None
    seed = args.quiz_seed if args.quiz_seed is not None else getattr(args, "seed", None)
    if seed is None:
        seed = secrets.randbelow(1_000_000)
    questions = args.questions
    round_minutes = args.minutes
    if questions is None and round_minutes is None and planned is not None:
        questions, round_minutes = planned.questions, planned.minutes
    if args.print_round:
        questions = questions or DEFAULT_PRINTED
        round_minutes = None
    elif questions is None and round_minutes is None:
        round_minutes = DEFAULT_MINUTES
    per_question = args.seconds_per_question or (planned.seconds_per_question if planned else None)
    if per_question is None and questions is not None and not args.print_round:
        per_question = DEFAULT_QUESTION_SECONDS
    topics: tuple[str, ...]
    if args.topic is not None:
        topics = ("tcp", "tls12", "tls13") if args.topic == "all" else (args.topic,)
    else:
        topics = bank_topics(bank) if bank is not None else ("tcp", "tls12", "tls13")
    settings = RoundSettings(
        seed=seed, topics=topics, questions=questions,
        round_seconds=None if round_minutes is None else round_minutes * 60,
        question_seconds=per_question, bank=bank_name or None,
        bank_only=bank is not None and not bank.round.generated, title=bank.title if bank else "",
    )
    return settings, bank, bank_name


def _print(settings: Any, bank: Any, bank_name: str, *, as_json: bool) -> int:
    from engine.quiz import QuestionSource
    from engine.quiz.handout import handout_json, handout_text

    source = QuestionSource(settings, bank, bank_name)
    questions = [source.question(n) for n in range(settings.questions)]
    if hasattr(sys.stdout, "reconfigure"):  # a terminal that cannot show "→" gets "?", not an error
        sys.stdout.reconfigure(errors="replace")
    sys.stdout.write(handout_json(settings, questions) if as_json else handout_text(settings, questions))
    return 0


__all__ = ["COMMANDS", "add_commands", "run"]
