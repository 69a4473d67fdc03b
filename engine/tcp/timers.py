"""The endpoint's two timers: retransmission (RFC 9293 §3.8.1, RFC 6298) and TIME-WAIT.

The timers are deadlines in the caller's time, never a clock: `Timers` only remembers when
each one is due, and `due(now)` names the one that fires. What firing does (retransmit, give
up, leave TIME-WAIT) is the endpoint's business; this module knows no segments or states.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Timer", "Timers"]


class Timer(enum.Enum):
    TIME_WAIT = "2MSL"  # RFC 9293 §3.6: wait 2 MSL before forgetting the connection
    RETRANSMISSION = "RTO"  # RFC 6298: nothing acknowledged the oldest segment in flight


@dataclass
class Timers:
    """The deadlines (None: not running) and the retransmission back-off state."""

    rto: float
    attempts: int = 0
    retransmission_deadline: float | None = None
    time_wait_deadline: float | None = None

    def due(self, now: float) -> Timer | None:
        """The timer that fires at `now`, if any; TIME-WAIT first, one timer per call."""
        if self.time_wait_deadline is not None and now >= self.time_wait_deadline:
            return Timer.TIME_WAIT
        if self.retransmission_deadline is not None and now >= self.retransmission_deadline:
            return Timer.RETRANSMISSION
        return None

    def next_deadline(self) -> float | None:
        deadlines = [d for d in (self.time_wait_deadline, self.retransmission_deadline)
                     if d is not None]
        return min(deadlines) if deadlines else None

    def restart_retransmission(self, now: float, initial_rto: float) -> None:
        """New data is outstanding (or some was acknowledged): start over from the initial RTO."""
        self.rto = initial_rto
        self.attempts = 0
        self.retransmission_deadline = now + self.rto

    def start_retransmission(self, now: float, initial_rto: float) -> None:
        """Start the timer if it is not already running (RFC 6298 §5.1)."""
        if self.retransmission_deadline is None:
            self.restart_retransmission(now, initial_rto)

    def back_off(self, now: float) -> None:
        """One more retransmission: double the timeout (RFC 6298 §5.5) and run again."""
        self.attempts += 1
        self.rto *= 2
        self.retransmission_deadline = now + self.rto

    def stop_retransmission(self) -> None:
        self.retransmission_deadline = None

    def start_time_wait(self, now: float, msl: float) -> None:
        self.time_wait_deadline = now + 2 * msl

    def stop_all(self) -> None:
        self.retransmission_deadline = None
        self.time_wait_deadline = None
