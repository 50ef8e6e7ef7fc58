"""Fact-check a market commentary: claims in, verdicts out, with only the data public on
the day.

A claims file (YAML, see docs/claims.md and ``schema.json``) lists a note's checkable
statements; each is measured with the kit's own functions on the data published by
``as_of`` and gets a verdict: ``verified``, ``refuted`` (with the kit's value and the
nearest reading that would match) or ``not_checkable`` (data missing or not yet
published, saying which).

Public API::

    import smallcaps as sc
    report = sc.claims.check("note.yaml")          # or a ClaimsFile; as_of= overrides
    report.to_frame(), report.to_json(), report.exit_code
    cf = sc.claims.read("note.yaml")               # validate only (ClaimsFileError)
    sc.claims.KINDS                                 # the registered kinds
    @sc.claims.register("my_kind", outputs={"value": "number"}, required=("date",))
    sc.claims.example_path()                        # the example file shipped with the kit

Command line: ``smallcaps check FILE [--json] [--as-of DATE]``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from . import kinds as _kinds  # noqa: F401 - registers the shipped kinds
from .context import Context
from .registry import KINDS, Kind, Measurement, NotCheckable, register
from .spec import Claim, ClaimsFile, ClaimsFileError, parse, read, schema
from .verdicts import VERDICTS, Report, Result, check_claim, check_file, tolerance_for

__all__ = [
    "KINDS",
    "VERDICTS",
    "Claim",
    "ClaimsFile",
    "ClaimsFileError",
    "Context",
    "Kind",
    "Measurement",
    "NotCheckable",
    "Report",
    "Result",
    "check",
    "check_claim",
    "check_file",
    "claim_chart",
    "example_path",
    "file_param",
    "parse",
    "read",
    "register",
    "schema",
    "tolerance_for",
    "why_no_chart",
]

EXAMPLE = "weekly_note_2025-05-27.yaml"


def example_path(name: str = EXAMPLE) -> Path:
    """Path of an example claims file shipped with the package."""
    return Path(str(resources.files(__package__).joinpath("examples", name)))


def check(claims: str | Path | ClaimsFile, as_of: Any = None, *, snapshot: Any = None) -> Report:
    """Check a claims file (path or :class:`ClaimsFile`).

    Parameters
    ----------
    claims : the file, or an already validated :class:`ClaimsFile`.
    as_of : override the file's ``as_of`` (only data published by then are used).
    snapshot : snapshot folder (default ``SMALLCAPS_SNAPSHOT``).

    Returns
    -------
    Report
        ``results`` (one :class:`Result` per claim), ``to_frame()``, ``to_json()``,
        ``exit_code``.

    Raises
    ------
    ClaimsFileError
        The file is invalid (every problem listed, naming the claim id and field).
    """
    cf = claims if isinstance(claims, ClaimsFile) else read(claims)
    return check_file(cf, as_of=as_of, snapshot=snapshot)


def file_param(default: str | Path | None = None) -> Any:
    """A ``sc.params.check`` validator for a claims-file parameter.

    Empty means ``default`` (the shipped example). Returns the validated
    :class:`ClaimsFile`; a missing or invalid file raises ``ParameterError`` listing
    every problem (claim id and field).
    """
    from ..params import ParameterError

    def validate(name: str, value: Any) -> ClaimsFile:
        if value is None or (isinstance(value, str) and not value.strip()):
            value = default if default is not None else example_path()
        if not isinstance(value, (str, Path)):
            raise ParameterError(name, f"expected a file path, got {type(value).__name__}")
        try:
            return read(Path(value).expanduser())
        except ClaimsFileError as exc:
            raise ParameterError(name, str(exc)) from None

    return validate


def __getattr__(name: str) -> Any:
    # charts import matplotlib: only when asked for
    if name in ("claim_chart", "why_no_chart"):
        from . import chart

        return getattr(chart, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
