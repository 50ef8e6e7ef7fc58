"""Technical levels engine: indicators, drawdowns, swings, levels, ranges, trendlines,
Fibonacci, volume profile and bar events.

Every function is pure (pandas in, pandas or a small dataclass out) and checks its
inputs, failing with one sentence that names the argument and what is wrong.
Indicators equal TA-Lib after warm-up. One module per concept:

============  ===========================================================
indicators    sma, ema, wma, rsi, atr, true_range, bollinger, macd
drawdown      drawdown, run_up, pullbacks, level_below_high
swings        swing_points (zig-zag, fractals)
levels        support_resistance, round_numbers, breakeven_levels, level_test
ranges        find_ranges
structure     key_levels (latest range and nearest levels as of a date: one answer)
trendlines    trendline, rally_slopes
fibonacci     fib_retracements, fib_extensions, fib_swing
profile       volume_profile
events        events, gaps, outside_days, key_reversals, ma_crosses, ma_order,
              new_highs
============  ===========================================================

See docs/technicals.md for the definitions and examples.
"""

from . import panel as panel  # the detectors over wide panels: technicals.panel.find_ranges
from .drawdown import LevelBelowHigh, drawdown, level_below_high, pullbacks, run_up
from .events import events, gaps, key_reversals, ma_crosses, ma_order, new_highs, outside_days
from .fibonacci import EXTENSIONS, RETRACEMENTS, fib_extensions, fib_retracements, fib_swing
from .indicators import atr, bollinger, ema, macd, rsi, sma, true_range, wma
from .levels import LevelTest, breakeven_levels, level_test, round_numbers, support_resistance
from .profile import VolumeProfile, volume_profile
from .ranges import find_ranges
from .structure import KeyLevels, key_levels
from .swings import swing_points
from .trendlines import Trendline, rally_slopes, trendline

__all__ = [
    "EXTENSIONS",
    "KeyLevels",
    "RETRACEMENTS",
    "LevelBelowHigh",
    "LevelTest",
    "Trendline",
    "VolumeProfile",
    "atr",
    "bollinger",
    "breakeven_levels",
    "drawdown",
    "ema",
    "events",
    "fib_extensions",
    "fib_retracements",
    "fib_swing",
    "find_ranges",
    "gaps",
    "key_levels",
    "key_reversals",
    "level_below_high",
    "level_test",
    "ma_crosses",
    "ma_order",
    "macd",
    "new_highs",
    "outside_days",
    "pullbacks",
    "rally_slopes",
    "round_numbers",
    "rsi",
    "run_up",
    "sma",
    "support_resistance",
    "swing_points",
    "trendline",
    "true_range",
    "volume_profile",
    "wma",
]
