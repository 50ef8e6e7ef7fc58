"""The one exception the data layer raises for bad or missing data."""

from __future__ import annotations

from collections.abc import Sequence


class DataError(ValueError):
    """Bad, missing or unusable data.

    The message always names the series, the rule that was broken and, where it
    applies, the offending rows, so a user can find the problem in the file.

    Parameters
    ----------
    series : str
        Catalog name or file the problem was found in.
    rule : str
        The rule broken, in words ("duplicate date", "high < low", ...).
    rows : sequence of str, optional
        Row labels (dates or line numbers) that break the rule; at most the first
        ten are shown.
    hint : str, optional
        What to do about it.
    """

    def __init__(
        self,
        series: str,
        rule: str,
        rows: Sequence[str] | None = None,
        hint: str | None = None,
    ) -> None:
        self.series = series
        self.rule = rule
        self.rows = list(rows) if rows is not None else []
        self.hint = hint
        msg = f"{series}: {rule}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" and {len(self.rows) - 10} more" if len(self.rows) > 10 else ""
            msg += f" (rows: {shown}{more})"
        if hint:
            msg += f". {hint}"
        super().__init__(msg)
