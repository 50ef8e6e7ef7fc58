"""The kit's parameter error, in a module without dependencies: the runner's pool workers
raise and pass it without importing pandas (``smallcaps.params`` re-exports it)."""

from __future__ import annotations


class ParameterError(ValueError):
    """A notebook or CLI parameter has a bad value."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"parameter {name!r}: {problem}")
