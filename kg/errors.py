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

    @property
    def fails(self) -> bool:
        """Only a violation fails validation; a shape's sh:Warning or sh:Info is reported and lets the data pass."""
        return self.severity == "Violation"

    def __str__(self) -> str:
        level = "" if self.fails else f"{self.severity.lower()}: "
        return f"{self.path}: {self.focus}: {level}[{self.check}] {self.message}"


class ValidationError(KgError):
    """The data broke one or more rules; ``violations`` lists all of them, not only the first."""

    exit_code = 3

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = sorted(violations)
        lines = "\n".join(f"  {v}" for v in self.violations)
        errors = sum(v.fails for v in self.violations)
        others = len(self.violations) - errors
        super().__init__(f"{errors} validation error(s)" + (f" and {others} warning(s)" if others else "")
                         + f":\n{lines}")


class InconsistentError(KgError):
    """The reasoner found the ontology plus data inconsistent; the message names what clashes."""

    exit_code = 4


class ReasonersDisagreeError(KgError):
    """HermiT, run as a cross-check of the rules (``--reasoner hermit``), inferred other triples; one line each."""


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


class OptionError(KgError):
    """An option's value is not one we accept (an unknown reasoner, a project folder that is not a project)."""

    exit_code = 2


class WriteError(KgError):
    """A file or folder cannot be written: disk full, read-only location, no permission, missing folder.

    Nothing was half written: the command wrote to a temporary name and removed it, or changed nothing.
    """

    exit_code = 9


class StoreDamagedError(KgError):
    """The store's files are damaged (a bad or missing table, an empty CURRENT): it must be rebuilt."""

    exit_code = 10


class QueryTimeoutError(KgError):
    """A query ran longer than ``--timeout`` allowed, and was stopped."""

    exit_code = 11


INTERRUPTED = 130
"""Exit code after Ctrl-C or a terminating signal (128 + SIGINT), as shells report it."""


def os_error(err: OSError, path: object = None, doing: str = "write") -> KgError:
    """An OSError as one line with its cause and what to do; writes that fail become :class:`WriteError`.

    >>> import errno
    >>> str(os_error(OSError(errno.ENOSPC, "No space left on device"), "/x/out.ttl"))
    '/x/out.ttl: cannot write: the disk is full (No space left on device); free some space and run the command again'
    """
    import errno as codes

    place = path if path is not None else err.filename
    where = f"{place}: cannot" if place is not None else "cannot"
    cause = err.strerror or str(err)
    if err.errno == codes.ENOSPC or "No space left" in str(err):
        return WriteError(f"{where} {doing}: the disk is full ({cause}); free some space and run the "
                          "command again")
    if err.errno == codes.EFBIG or "File too large" in str(err):
        return WriteError(f"{where} {doing}: the file would exceed the size this system allows (a disk or "
                          "a limit is full); free some space or raise the limit")
    if err.errno == codes.EDQUOT:
        return WriteError(f"{where} {doing}: disk quota exceeded; free some space and run the command again")
    if err.errno == codes.EROFS or "Read-only file system" in str(err):
        return WriteError(f"{where} {doing}: the location is read-only; choose a writable place (reads "
                          "still work)")
    if err.errno in (codes.EACCES, codes.EPERM) or "Permission denied" in str(err):
        return WriteError(f"{where} {doing}: permission denied; choose a place you may write to, or fix "
                          "its permissions")
    if err.errno == codes.ENOENT:
        return WriteError(f"{where} {doing}: the folder does not exist; create it first")
    if err.errno == codes.EISDIR:
        return WriteError(f"{where} {doing}: it is a folder; give a file name")
    if err.errno == codes.ENOTDIR:
        return WriteError(f"{where} {doing}: a part of the path is a file, not a folder")
    return WriteError(f"{where} {doing}: {cause}")
