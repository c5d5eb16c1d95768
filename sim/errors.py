"""User-facing errors.

A user's mistake (a typo in a scenario file, a bad option) must surface as one
line that names the file, the key and the problem. Code raises `UserError`
anywhere; the CLI prints `str(error)` and exits non-zero, never a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input, reported as one line."""

    exit_code = 2


class ScenarioError(UserError):
    """A problem in a scenario file: which file, which key, what is wrong."""

    def __init__(self, path: str, key: str | None, problem: str):
        self.path, self.key, self.problem = str(path), key, problem
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {problem}")
