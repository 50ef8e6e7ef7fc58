"""Statistics done right for market series, one module per concept.

- ``eventstudy``: ``event_study``, forward returns after events vs all days, bootstrap intervals.
- ``correlation``: ``correlation_report`` (levels vs changes, HAC intervals,
  rolling, detrended, spurious-regression flag) and monthly alignment helpers.
- ``unitroot``: ADF, KPSS, Engle-Granger and Johansen cointegration.
- ``leadlag``: prewhitened cross-correlation and Granger / Toda-Yamamoto tests.
- ``turning_points``: peak and trough dating and matching of two series.

Every result object has ``.summary()``, ``.to_frame()``, ``_repr_html_`` and
``.plot(ax=None)``. Public names are re-exported here lazily so that
``import smallcaps`` does not load statsmodels or scipy.
"""

from .._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__, ("eventstudy", "correlation", "unitroot", "leadlag", "turning_points")
)
