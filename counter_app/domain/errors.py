"""Errors raised by the counter's rules and services.

Every error a clerk can meet carries a Vietnamese sentence that says what is wrong and what to
do, and, where it comes from one input field, the name of that field.
"""

from __future__ import annotations


class CounterError(Exception):
    """Base of every error the application reports to a clerk instead of a traceback."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        if self.field:
            return f"{self.field}: {self.message}"
        return self.message


class InvalidInput(CounterError):
    """Bad input from a clerk, a scanner or an imported file."""


class NotAllowed(CounterError):
    """A valid request that the rules forbid now (a transition, a full day's numbering...)."""


class NotFound(CounterError):
    """A dossier, procedure or clerk that does not exist."""
