"""Debian's headless Chromium, driven by Playwright, looking at a textual-serve page.

No browser is downloaded: Playwright launches /usr/bin/chromium (installed by .ci/run), and
a missing one fails the test. Requests anywhere but the game server (the page asks a font
host) are aborted, so the test stays on loopback.

textual-serve draws the terminal with xterm.js on a canvas, so the text is not in the page
as drawn. xterm.js also keeps a screen-reader copy of the screen in the DOM (rows of text in
`.xterm-accessibility-tree`) when its `screenReaderMode` option is on; textual-serve does not
keep the terminal anywhere a test can reach, so an init script notes the xterm.js terminal
when the page's script stores it (as `this.terminal = new Terminal(...)`), and the test turns
that mode on. The text read is then the DOM xterm.js itself renders for the screen (its
no-break spaces read as spaces).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WAIT_MS = 60_000  # a bound on waiting for the screen, not a speed target
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}

NOTE_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && value.options) window.__xterm = value;
  },
});
"""
SCREEN_TEXT = """() => {
  const tree = document.querySelector(".xterm-accessibility-tree");
  return tree ? Array.from(tree.children, row => row.textContent.replace(/\\u00a0/g, " ")).join("\\n") : "";
}"""


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


class TerminalTab:
    """One browser tab on the game: read its screen, press keys."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.origin = urlsplit(url).netloc
        self.page: Page = browser.new_page(viewport=VIEWPORT)
        self.page.route("**/*", self._local_only)
        self.page.add_init_script(NOTE_TERMINAL)
        self.page.goto(url)
        self.page.wait_for_function("() => window.__xterm !== undefined", timeout=WAIT_MS)
        self.page.evaluate("() => { window.__xterm.options.screenReaderMode = true; }")

    def _local_only(self, route: Route) -> None:
        if urlsplit(route.request.url).netloc == self.origin:
            route.continue_()
        else:
            route.abort()

    def text(self) -> str:
        return str(self.page.evaluate(SCREEN_TEXT))

    def wait_for(self, pattern: str) -> str:
        """Wait until the screen shows `pattern` (a regular expression); the screen's text."""
        try:
            self.page.wait_for_function(
                f"pattern => new RegExp(pattern).test(({SCREEN_TEXT})())", arg=pattern, timeout=WAIT_MS,
            )
        except Exception as error:
            raise AssertionError(f"the screen never showed /{pattern}/; it shows:\n{self.text()}") from error
        return self.text()

    def press(self, *keys: str) -> None:
        """Keys as Playwright names them ("Enter", "Tab", "1"), typed into the terminal."""
        self.page.focus(".xterm-helper-textarea")
        for key in keys:
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.focus(".xterm-helper-textarea")
        self.page.keyboard.type(text)

    def screenshot(self, path: Path) -> bytes:
        return self.page.screenshot(path=str(path))

    def close(self) -> None:
        self.page.close()

