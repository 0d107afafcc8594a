"""Errors of the stowage package.

A failed call raises a :class:`StowageError` whose message is the C API's
one line (the same text `stowage plan` prints) and whose :attr:`status` is
the class of failure, the CLI's exit code:

====================  ======  ============================================
class                 status  meaning
====================  ======  ============================================
:class:`NoAnswer`     1       well formed, but no usable answer (does not
                              fit, infeasible, nothing within the limit)
:class:`BadInput`     2       the input is wrong (file, graph, option);
                              also a :class:`ValueError`
:class:`InternalError` 3      a bug in Stowage (a plan that failed its
                              own verification is never handed back)
====================  ======  ============================================
"""
from __future__ import annotations


class StowageError(Exception):
    """A call into Stowage failed; ``str(error)`` is the one-line reason."""

    #: The CLI's exit code for this class of failure.
    status: int = 3

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def exit_code(self) -> int:
        """The same number as :attr:`status`: what `stowage` would exit with."""
        return self.status


class NoAnswer(StowageError):
    """The request was well formed but has no usable answer."""

    status = 1


class BadInput(StowageError, ValueError):
    """The caller's input is wrong; the message names the place."""

    status = 2


class InternalError(StowageError):
    """A bug in Stowage, not in the input."""

    status = 3


class LibraryNotFound(StowageError, ImportError):
    """libstowage could not be found or loaded."""

    status = 2


class Unavailable(StowageError, NotImplementedError):
    """The loaded libstowage lacks the C function a call needs (it is
    older than this package's Python side)."""

    status = 2


def error_for_status(status: int, message: str) -> StowageError:
    """The exception for a C API status code."""
    kind = {1: NoAnswer, 2: BadInput}.get(status, InternalError)
    return kind(message)
