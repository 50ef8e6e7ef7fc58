"""One pass over a (dates x symbols) panel that returns per-date breadth sums.

Everything breadth needs is a **sum over symbols** of per-symbol indicators
(member with a price, above its n-day average, new 52-week high, advance, daily
return...), so the kernel accumulates 1-D per-date totals while it walks each
symbol's column once: no 2-D temporaries, memory is the inputs plus O(dates).
Sums over disjoint symbol chunks add up to the sums over the whole panel, which is
what lets :func:`smallcaps.breadth.breadth` split the work into Dask tasks.

Per-symbol definitions (each symbol's own valid observations, gaps skipped):

- ``n``-day average: mean of the symbol's last ``n`` closes (needs ``n`` of them);
  "above" means close > average;
- new high (low): the close is above (below) every one of the previous
  ``hl_window - 1`` closes (needs ``hl_window`` observations; 252 = 52 weeks);
- advance/decline/unchanged: close against the previous trading day's close (the
  previous row of the panel; a symbol without a price that day is not counted);
- return: ``ret_close[t] / ret_close[t-1] - 1`` on consecutive rows (``adj_close``
  for a total-return equal-weight index).

Only rows where the symbol is a member that day are added to the sums; the
averages and highs use the symbol's whole price history (a stock's 200-day average
does not depend on when it joined the index).
"""

from __future__ import annotations

import numpy as np

try:  # numba is a dependency; keep the module importable (and slow) without it
    from numba import njit
except ImportError:  # pragma: no cover
    def njit(*args, **kwargs):
        def wrap(f):
            return f
        return wrap(args[0]) if args and callable(args[0]) else wrap

SUM_NAMES = ("listed", "priced", "adv", "dec", "unch", "n_hl", "highs", "lows", "ret_sum", "ret_n")


@njit(cache=True, nogil=True)
def _kernel(close, high_src, low_src, ret_close, member, windows, hl_window,
            counts, above, n_win, ret_sum):  # pragma: no cover - compiled
    T, N = close.shape
    nw = windows.shape[0]
    wmax = 1
    for k in range(nw):
        if windows[k] > wmax:
            wmax = windows[k]
    buf = np.empty(wmax)
    sums = np.zeros(nw)
    cap = hl_window + 1
    hq_i = np.empty(cap, np.int64)
    hq_v = np.empty(cap)
    lq_i = np.empty(cap, np.int64)
    lq_v = np.empty(cap)
    for j in range(N):
        k_obs = 0
        for k in range(nw):
            sums[k] = 0.0
        hh = 0
        ht = 0
        lh = 0
        lt = 0
        for t in range(T):
            m = member[t, j]
            if m:
                counts[0, t] += 1
            x = close[t, j]
            if x != x:  # NaN: no price that day
                continue
            # moving averages over the symbol's last w observations
            for k in range(nw):
                w = windows[k]
                sums[k] += x
                if k_obs >= w:
                    sums[k] -= buf[(k_obs - w) % wmax]
            buf[k_obs % wmax] = x
            hx = high_src[t, j]
            lx = low_src[t, j]
            # evict observations older than the previous hl_window - 1
            oldest = k_obs - (hl_window - 1)
            while hh != ht and hq_i[hh % cap] < oldest:
                hh += 1
            while lh != lt and lq_i[lh % cap] < oldest:
                lh += 1
            if m:
                counts[1, t] += 1
                for k in range(nw):
                    if k_obs + 1 >= windows[k]:
                        n_win[k, t] += 1
                        if x > sums[k] / windows[k]:
                            above[k, t] += 1
                if k_obs >= hl_window - 1 and hh != ht:
                    counts[5, t] += 1
                    if hx == hx and hx > hq_v[hh % cap]:
                        counts[6, t] += 1
                    if lx == lx and lx < lq_v[lh % cap]:
                        counts[7, t] += 1
                if t > 0:
                    p = close[t - 1, j]
                    if p == p:
                        if x > p:
                            counts[2, t] += 1
                        elif x < p:
                            counts[3, t] += 1
                        else:
                            counts[4, t] += 1
                    r1 = ret_close[t, j]
                    r0 = ret_close[t - 1, j]
                    if r1 == r1 and r0 == r0 and r0 > 0:
                        ret_sum[t] += r1 / r0 - 1.0
                        counts[8, t] += 1
            # push today's high/low (monotone deques of the window's max and min)
            if hx == hx:
                while ht != hh and hq_v[(ht - 1) % cap] <= hx:
                    ht -= 1
                hq_i[ht % cap] = k_obs
                hq_v[ht % cap] = hx
                ht += 1
            if lx == lx:
                while lt != lh and lq_v[(lt - 1) % cap] >= lx:
                    lt -= 1
                lq_i[lt % cap] = k_obs
                lq_v[lt % cap] = lx
                lt += 1
            k_obs += 1


def breadth_sums(close: np.ndarray, member: np.ndarray, windows=(50, 200), hl_window: int = 252,
                 high: np.ndarray | None = None, low: np.ndarray | None = None,
                 ret_close: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per-date sums over the symbols of a panel (see the module docstring).

    Parameters
    ----------
    close : float array (dates, symbols), NaN where a symbol has no price.
    member : bool array of the same shape: member of the universe that day.
    windows : moving-average lengths (observations).
    hl_window : new-high/low window in observations (252: 52 weeks).
    high, low : arrays for new highs/lows (default ``close``: closing basis; pass
        the high and low panels for the intraday basis).
    ret_close : prices for the equal-weight returns (default ``close``).

    Returns
    -------
    dict of 1-D arrays (one value per date): ``listed`` (members that day),
    ``priced`` (members with a price), ``adv``, ``dec``, ``unch``, ``n_hl``
    (members with a full high/low window), ``highs``, ``lows``, ``ret_sum``,
    ``ret_n`` and, per window ``w``, ``above_w`` and ``n_w``.
    """
    # the kernel walks one column at a time: Fortran order makes each column contiguous
    # (one conversion per distinct input; inputs that are the same array share it)
    close = np.asfortranarray(close, dtype=np.float64)
    T, N = close.shape
    member = np.asfortranarray(member, dtype=np.bool_)
    if member.shape != close.shape:
        raise ValueError(f"member mask shape {member.shape} != close shape {close.shape}")
    win = np.asarray(list(windows), dtype=np.int64)
    if (win < 1).any() or hl_window < 2:
        raise ValueError("windows must be >= 1 and hl_window >= 2")
    hi = close if high is None else np.asfortranarray(high, dtype=np.float64)
    lo = close if low is None else np.asfortranarray(low, dtype=np.float64)
    rc = close if ret_close is None else np.asfortranarray(ret_close, dtype=np.float64)
    counts = np.zeros((9, T), dtype=np.int64)
    above = np.zeros((len(win), T), dtype=np.int64)
    n_win = np.zeros((len(win), T), dtype=np.int64)
    ret_sum = np.zeros(T)
    _kernel(close, hi, lo, rc, member, win, int(hl_window), counts, above, n_win, ret_sum)
    out = {"listed": counts[0], "priced": counts[1], "adv": counts[2], "dec": counts[3],
           "unch": counts[4], "n_hl": counts[5], "highs": counts[6], "lows": counts[7],
           "ret_sum": ret_sum, "ret_n": counts[8]}
    for k, w in enumerate(win):
        out[f"above_{w}"] = above[k]
        out[f"n_{w}"] = n_win[k]
    return out


def add_sums(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sum two chunks' results (the same dates, disjoint symbols)."""
    return {k: a[k] + b[k] for k in a}
