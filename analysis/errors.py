"""Errors meant for the user: printed as plain messages by the CLI, never as a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the user's input (data, parameters, paths). The CLI prints it and exits 1."""

    exit_code = 1


class UsageError(UserError):
    """A malformed command line (unknown parameter, wrong type). The CLI exits 2."""

    exit_code = 2
