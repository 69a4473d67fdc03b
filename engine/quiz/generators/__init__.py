"""Every question generator, by kind."""

from engine.quiz.generators import compare, faults, tcp, tls
from engine.quiz.generators.common import SKILLS, Generator

GENERATORS: tuple[Generator, ...] = (*tcp.GENERATORS, *tls.GENERATORS, *faults.GENERATORS, *compare.GENERATORS)

__all__ = ["GENERATORS", "SKILLS", "Generator"]
