"""Look at exported reports and decks the way an audience does: in headless Chromium, offline.

:func:`check_report` opens an HTML report, :func:`check_deck` a reveal.js deck, each in
Debian's ``chromium`` driven by Playwright (``executable_path``; Playwright's own
browser download is never used) with the network off: a fresh, empty profile, the
browser context offline, and every request that is not ``file:`` or ``data:`` aborted
and recorded. Both save screenshots (PNG) for a person to look at and return what
they measured, so a test can assert on it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DeckCheck", "ReportCheck", "check_deck", "check_report", "chromium_path",
           "unavailable"]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """The Chromium executable (Debian's ``chromium``), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable() -> str | None:
    """Why the browser checks cannot run here (None when they can)."""
    if chromium_path() is None:
        return "no Chromium on this machine (apt-get install chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


@dataclass
class ReportCheck:
    """What a report looked like: title, tables wider than their container, requests
    that tried to leave the machine, the screenshot file."""

    title: str
    overflowing_tables: list[str]
    blocked_requests: list[str]
    images: int
    screenshot: Path
    page_width: int = 0
    scroll_width: int = 0
    interactive_heights: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class DeckCheck:
    """What a deck looked like: per slide, the visible text and the visible images."""

    slides: int
    texts: list[str] = field(default_factory=list)
    images: list[int] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    reveal_ready: bool = False


@contextmanager
def _browser(width: int, height: int) -> Iterator[tuple[Any, list[str]]]:
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with tempfile.TemporaryDirectory(prefix="smallcaps-chromium-") as profile, \
            sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
            offline=True, viewport={"width": width, "height": height})

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                r.continue_()
            else:
                blocked.append(url)
                r.abort()

        ctx.route("**/*", route)
        try:
            yield ctx, blocked
        finally:
            ctx.close()


_OVERFLOW_JS = """() => {
  const out = [];
  for (const t of document.querySelectorAll('table')) {
    const box = t.parentElement.getBoundingClientRect();
    const r = t.getBoundingClientRect();
    if (r.width > document.documentElement.clientWidth + 1 || r.right > box.right + 1 ||
        t.scrollWidth > t.clientWidth + 1) {
      const cap = t.querySelector('caption');
      out.push((cap ? cap.innerText : t.innerText).slice(0, 80));
    }
  }
  return out;
}"""


def check_report(html: str | Path, screenshot: str | Path, width: int = 1280,
                 height: int = 900) -> ReportCheck:
    """Open the HTML report ``html`` offline; save a full-page screenshot to ``screenshot``."""
    html, screenshot = Path(html).resolve(), Path(screenshot)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with _browser(width, height) as (ctx, blocked):
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_timeout(800)
        title = page.title()
        # interactive twins: their rendered height (0 when Bokeh did not draw them)
        # (the block's height less its two lines of text: Bokeh draws into a shadow root)
        heights = page.evaluate("() => [...document.querySelectorAll('.sc-interactive')]"
                                ".map(e => e.getBoundingClientRect().height - [...e.querySelectorAll"
                                "('p')].reduce((a, p) => a + p.getBoundingClientRect().height, 0))")
        overflow = page.evaluate(_OVERFLOW_JS)
        images = page.evaluate("() => document.querySelectorAll('img, svg').length")
        sizes = page.evaluate("() => [document.documentElement.clientWidth,"
                              " document.documentElement.scrollWidth]")
        page.screenshot(path=str(screenshot), full_page=True)
    return ReportCheck(title=title, overflowing_tables=list(overflow), blocked_requests=blocked,
                       images=int(images), screenshot=screenshot, page_width=int(sizes[0]),
                       scroll_width=int(sizes[1]),
                       interactive_heights=[float(h) for h in heights], errors=errors)


_SLIDE_JS = """() => {
  const cur = document.querySelector('.reveal .slides section.present:not(.stack)')
           || document.querySelector('.reveal .slides > section.present');
  if (!cur) { return ['', 0]; }
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 20 && r.height > 20 && s.display !== 'none' && s.visibility !== 'hidden'; };
  const imgs = [...cur.querySelectorAll('img, svg')].filter(visible).length;
  return [cur.innerText.trim(), imgs];
}"""


def check_deck(deck: str | Path, screenshot_dir: str | Path, stem: str | None = None,
               max_slides: int = 60, width: int = 1280, height: int = 800) -> DeckCheck:
    """Open the deck offline and step through its slides; one screenshot per slide.

    Screenshots are ``<screenshot_dir>/<stem>.slide-NN.png`` (NN from 01).
    """
    deck, out = Path(deck).resolve(), Path(screenshot_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = stem or deck.name.removesuffix(".html")
    for old in out.glob(f"{stem}.slide-*.png"):
        old.unlink()
    with _browser(width, height) as (ctx, blocked):
        page = ctx.new_page()
        page.goto(deck.as_uri(), wait_until="load")
        page.wait_for_timeout(300)
        ready = bool(page.evaluate("() => typeof Reveal !== 'undefined' && Reveal.isReady()"))
        total = int(page.evaluate("() => typeof Reveal !== 'undefined' ? "
                                  "Reveal.getTotalSlides() : 0"))
        check = DeckCheck(slides=total, blocked_requests=blocked, reveal_ready=ready)
        for k in range(min(total, max_slides)):
            if k:
                page.evaluate("() => Reveal.next()")
                page.wait_for_timeout(120)
            text, imgs = page.evaluate(_SLIDE_JS)
            check.texts.append(str(text))
            check.images.append(int(imgs))
            shot = out / f"{stem}.slide-{k + 1:02d}.png"
            page.screenshot(path=str(shot))
            check.screenshots.append(shot)
    return check
