"""Errors shared by the subcommands."""


class UserError(Exception):
    """An error whose message is the whole story for the user (no traceback)."""
