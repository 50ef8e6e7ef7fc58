"""Sentiment and positioning metrics, one module per concept.

``margin`` (FINRA margin debt), ``short_interest``, ``positioning`` (CFTC COT),
``putcall`` (Cboe ratios), ``surveys`` (NFIB and other imported surveys) and
``extremes`` (the generic extreme-reading detector). Their public names are
re-exported here lazily.
"""

from .._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__, ("margin", "short_interest", "positioning", "putcall", "surveys", "extremes")
)
