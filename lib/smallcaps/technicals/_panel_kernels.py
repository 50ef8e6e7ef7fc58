"""Compiled loops of the panel range scan (see :mod:`smallcaps.technicals.panel`).

A module of its own so that numba is imported only when a panel scan runs, and so
that the compiled functions are module-level (numba caches those on disk; closures
that call other compiled closures are recompiled in every process).
"""

from __future__ import annotations

import math

import numba
import numpy as np

_jit = numba.njit(cache=True, nogil=True)


@_jit
def need(n, q):
    v = int(math.ceil(q * n - 1e-9))
    return v if v > 1 else 1


@_jit
def window_stats(c, y, counts, m, q, w, t, tt, width, drift):
    # For each start s of symbol j: the band width of the window c[s:s+m] (the
    # narrowest holding ceil(q m) of its closes) and, if within max_width, the drift
    # |slope of log close| * (m - 1). An incrementally sorted window stands in for
    # sorting each window; the arithmetic of width and drift is the reference's.
    k = need(m, q)
    srt = np.empty(m)
    for j in range(c.shape[0]):
        n = counts[j]
        if n < m:
            continue
        for i in range(m):
            srt[i] = c[j, i]
        srt.sort()
        for s in range(n - m + 1):
            if s > 0:
                old = c[j, s - 1]
                new = c[j, s + m - 1]
                # remove old (binary search), insert new keeping order
                lo_, hi_ = 0, m
                while lo_ < hi_:
                    mid = (lo_ + hi_) // 2
                    if srt[mid] < old:
                        lo_ = mid + 1
                    else:
                        hi_ = mid
                p = lo_
                if new >= old:
                    while p + 1 < m and srt[p + 1] < new:
                        srt[p] = srt[p + 1]
                        p += 1
                else:
                    while p > 0 and srt[p - 1] > new:
                        srt[p] = srt[p - 1]
                        p -= 1
                srt[p] = new
            best = srt[k - 1] / srt[0]
            for i in range(1, m - k + 1):
                r = srt[i + k - 1] / srt[i]
                if r < best:
                    best = r
            width[j, s] = best - 1.0
        # drift of every window at once: each window's sum runs over i in order from
        # zero (the reference's sequential dot product), the windows side by side so
        # that the loop over them vectorises
        ns = n - m + 1
        acc = np.zeros(ns)
        for i in range(m):
            ti = t[i]
            for s in range(ns):
                acc[s] += y[j, s + i] * ti
        for s in range(ns):
            drift[j, s] = abs(acc[s] / tt) * (m - 1) if width[j, s] <= w else np.inf


@_jit
def band(srt, length, q):
    k = need(length, q)
    best = srt[k - 1] / srt[0]
    jb = 0
    for i in range(1, length - k + 1):
        r = srt[i + k - 1] / srt[i]
        if r < best:
            best = r
            jb = i
    return srt[jb], srt[jb + k - 1]


@_jit
def scan(c, h, lo_, counts, ok, m, q, w, confirm, rb, tol, out_i, out_f, nfound):
    # out_i[j, r] = start, end, exit bar, known bar, retest bar, back-inside bar, dir
    # out_f[j, r] = band low, band high, coverage
    T = c.shape[1]
    srt = np.empty(T)
    blo = np.empty(T)
    bhi = np.empty(T)
    for j in range(c.shape[0]):
        n = counts[j]
        nr = 0
        s = 0
        while s <= n - m:
            nxt = -1
            for i in range(s, n - m + 1):
                if ok[j, i]:
                    nxt = i
                    break
            if nxt < 0:
                break
            s = nxt
            for i in range(m):
                srt[i] = c[j, s + i]
            srt[:m].sort()
            length = m
            a, b = band(srt, length, q)
            blo[0] = a
            bhi[0] = b
            nb = 1
            e = s + m
            exit_bar = -1
            while e < n:
                if confirm > 0 and e - confirm + 1 >= s + m:
                    a = blo[e - confirm - (s + m - 1)]
                    b = bhi[e - confirm - (s + m - 1)]
                    above = True
                    below = True
                    for i in range(e - confirm + 1, e + 1):
                        if not c[j, i] > b:
                            above = False
                        if not c[j, i] < a:
                            below = False
                    if above or below:
                        exit_bar = e - confirm + 1
                        break
                x = c[j, e]
                # insert at the left insertion point (np.searchsorted side="left")
                p = length
                while p > 0 and srt[p - 1] >= x:
                    srt[p] = srt[p - 1]
                    p -= 1
                srt[p] = x
                a, b = band(srt, length + 1, q)
                if b / a - 1.0 > w:
                    up = x > bhi[nb - 1]
                    r = e
                    prev = -1
                    while r != prev:
                        prev = r
                        a2 = blo[r - 1 - (s + m - 1)]
                        b2 = bhi[r - 1 - (s + m - 1)]
                        while r - 1 >= s + m and ((c[j, r - 1] > b2) if up
                                                  else (c[j, r - 1] < a2)):
                            r -= 1
                    exit_bar = r
                    break
                length += 1
                blo[nb] = a
                bhi[nb] = b
                nb += 1
                e += 1
            if exit_bar < 0:
                a = blo[nb - 1]
                b = bhi[nb - 1]
                end = n - 1
                known = -1
            else:
                a = blo[exit_bar - 1 - (s + m - 1)]
                b = bhi[exit_bar - 1 - (s + m - 1)]
                end = exit_bar - 1
                known = e
            cnt = 0
            for i in range(s, end + 1):
                if c[j, i] >= a and c[j, i] <= b:
                    cnt += 1
            out_i[j, nr, 0] = s
            out_i[j, nr, 1] = end
            out_i[j, nr, 2] = exit_bar
            out_i[j, nr, 3] = known
            out_i[j, nr, 4] = -1
            out_i[j, nr, 5] = -1
            out_i[j, nr, 6] = 0
            out_f[j, nr, 0] = a
            out_f[j, nr, 1] = b
            out_f[j, nr, 2] = cnt / (end - s + 1)
            if exit_bar >= 0:
                up = c[j, exit_bar] > (a + b) / 2
                out_i[j, nr, 6] = 1 if up else -1
                stop = min(n, exit_bar + 1 + rb)
                away = -1
                for i in range(exit_bar + 1, stop):
                    touch = (lo_[j, i] <= b * (1 + tol)) if up else (h[j, i] >= a * (1 - tol))
                    if away < 0:
                        if not touch:
                            away = i
                    if away >= 0 and touch:
                        out_i[j, nr, 4] = i
                        break
                for i in range(exit_bar + 1, stop):
                    inside = (c[j, i] <= b) if up else (c[j, i] >= a)
                    if inside:
                        out_i[j, nr, 5] = i
                        break
            nr += 1
            if exit_bar < 0:
                break
            s = exit_bar
        nfound[j] = nr


@_jit
def new_extremes(v, counts, n, out):
    # out[j, i]: v[j, i] above the max of the previous n - 1 values of row j (n <= 1:
    # of every previous value); comparisons only, so the same as any other max
    for j in range(v.shape[0]):
        cnt = counts[j]
        if n <= 1:
            best = -np.inf
            for i in range(cnt):
                x = v[j, i]
                out[j, i] = i > 0 and x > best
                if x > best:
                    best = x
            continue
        w = n - 1
        dq = np.empty(cnt + 1, dtype=np.int64)  # monotonic deque of positions
        head = 0
        tail = 0
        for i in range(cnt):
            # the window of the previous w values is [i - w, i - 1]
            if i >= w:
                while head < tail and dq[head] < i - w:
                    head += 1
                out[j, i] = v[j, i] > v[j, dq[head]]
            else:
                out[j, i] = False
            while tail > head and v[j, dq[tail - 1]] <= v[j, i]:
                tail -= 1
            dq[tail] = i
            tail += 1


@_jit
def unpack_into(packed, rows, counts, out):
    for j in range(packed.shape[0]):
        for i in range(counts[j]):
            out[rows[j, i], j] = packed[j, i]
