"""One exception hierarchy for the library; the CLI maps each kind to a documented exit code."""

from __future__ import annotations

from dataclasses import dataclass, field


class KgError(Exception):
    """Base of every error the library raises on purpose. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class InputError(KgError):
    """A file we were given cannot be read or parsed; keeps the file, line and column when known."""

    exit_code = 2

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.path, self.line, self.column = path, line, column
        where = ":".join(str(x) for x in (path, line, column) if x is not None)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: which file and node, which check, and what a curator should do."""

    path: str
    focus: str
    check: str
    message: str
    severity: str = "Violation"
    value: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.path}: {self.focus}: [{self.check}] {self.message}"


class ValidationError(KgError):
    """The data broke one or more rules; ``violations`` lists all of them, not only the first."""

    exit_code = 3

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = sorted(violations)
        lines = "\n".join(f"  {v}" for v in self.violations)
        super().__init__(f"{len(self.violations)} validation error(s):\n{lines}")


class InconsistentError(KgError):
    """The reasoner found the ontology plus data inconsistent; the message names what clashes."""

    exit_code = 4


class QueryError(KgError):
    """A query is malformed, unknown, refused (an update without permission) or missing parameters."""

    exit_code = 5


class StoreMissingError(KgError):
    """No built store where one was expected."""

    exit_code = 6


class StoreLockedError(KgError):
    """Another process holds the store open for writing."""

    exit_code = 7


class EndpointError(KgError):
    """A remote SPARQL endpoint cannot be reached, timed out, refused us or failed; the message has its answer."""

    exit_code = 8
