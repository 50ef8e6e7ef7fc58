"""Stats charts: each returns a finished Figure with the provenance footer."""

from __future__ import annotations

import numpy as np
import pandas as pd

import smallcaps as sc  # tests/conftest.py selects the Agg backend


def _series(seed: int, name: str, synthetic: bool = True) -> pd.Series:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2000-01-31", periods=150, freq="ME", name="date")
    s = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.005, 0.05, 150))), idx, name=name)
    s.attrs["provenance"] = {"name": name, "source": "test", "origin": "demo",
                             "synthetic": synthetic, "first": "2000-01-31", "last": "2012-06-30",
                             "rows": 150}
    return s


def _texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


def test_every_stats_chart_is_finished_and_says_synthetic():
    import matplotlib.pyplot as plt

    x, y = _series(1, "IDX"), _series(2, "MARGIN")
    rep = sc.stats.correlation_report(x, y, max_lag=6)
    tp = sc.stats.compare_turning_points(x, y, 0.2)
    es = sc.stats.event_study(x.index[::10], x, (3, 6), min_events=3)
    pr = sc.stats.predictive_regression(y.pct_change(12).dropna().rename("yoy"), x, (1, 3),
                                        align="reference", bars_per_period=1)
    figs = [
        sc.charts.dual_log_chart(x, y),
        sc.charts.dual_log_chart(x, y, comparison=tp),
        sc.charts.rolling_correlation_chart(rep),
        sc.charts.levels_vs_changes(rep),
        sc.charts.cross_correlogram(rep.leadlag, sources=(x, y)),
        sc.charts.turning_points_chart(tp),
        sc.charts.event_study_chart(es),
        sc.charts.predictive_chart(pr, 3, sources=(x, y)),
    ]
    for fig in figs:
        assert getattr(fig, "_smallcaps_finished", False)
        text = _texts(fig)
        assert "SYNTHETIC DEMO DATA" in text
        assert "IDX" in text
        plt.close(fig)
