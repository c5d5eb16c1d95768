"""User-facing errors.

A user's mistake (a typo in a scenario file, a bad option) must surface as one
line that names the file, the key and the problem. Code raises `UserError`
anywhere; the CLI prints `str(error)` and exits non-zero, never a traceback.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager


class UserError(Exception):
    """A problem with the user's input, reported as one line."""

    exit_code = 2

    def lines(self) -> list[str]:
        """The problem as lines of text, one per problem (the CLI prints each)."""
        return [str(self)]


class ScenarioError(UserError):
    """A problem in a scenario file: which file, which key, what is wrong."""

    def __init__(self, path: str, key: str | None, problem: str):
        self.path, self.key, self.problem = str(path), key, problem
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {problem}")


class ScenarioProblems(ScenarioError):
    """Every problem found in a scenario file at once, one `ScenarioError` each.
    Behaves as the first problem (path, key, problem) for code that needs one;
    `lines()` gives them all."""

    def __init__(self, problems: list[ScenarioError]):
        first = problems[0]
        super().__init__(first.path, first.key, first.problem)
        self.problems = list(problems)
        Exception.__init__(self, "\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


@contextmanager
def kept_warnings(into: list[str]):
    """Collect the warnings raised inside (each text once) into `into`, instead of
    printing them: work done in a worker process hands them back to the caller, which
    shows them with `rewarn` where the user sees them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    into.extend(t for t in dict.fromkeys(str(w.message) for w in caught) if t not in into)


def rewarn(texts: list[str]) -> None:
    """Warn, in this process, each text `kept_warnings` collected elsewhere."""
    for text in texts:
        warnings.warn(text, stacklevel=2)
