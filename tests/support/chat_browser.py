"""A tenant using the web chat in Chromium: presses, types, screenshots and axe checks."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from bot.settings import PROJECT_ROOT
from tests.support.browser import WCAG_22_AA

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "webchat"


class Tenant:
    """One way of using the page: `mode` is mouse, keyboard or nojs."""

    def __init__(self, page: Page, mode: str, name: str, check_axe: bool) -> None:
        self.page, self.mode, self.name, self.check_axe = page, mode, name, check_axe
        self.step = 0

    def record(self) -> None:
        """A screenshot of this state, and (mouse runs) axe finds nothing on it."""
        self.step += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{self.step:02d}.png"
        # Pictures load after the page: a screenshot taken before would show an empty button.
        if self.mode == "nojs":  # no script can run: the load event waits for the pictures
            self.page.wait_for_load_state("load")
        else:
            self.page.wait_for_function(
                "() => Array.from(document.images).every(image => image.complete)"
            )
        self.page.screenshot(path=str(path), full_page=True)
        if self.check_axe:
            results = Axe().run(self.page, options=WCAG_22_AA)
            assert results.violations_count == 0, results.generate_report()
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= self.page.viewport_size["width"]  # type: ignore[index]

    def press(self, selector: str, then: str) -> None:
        """Use the button `selector`, then wait for the newest message to contain `then`."""
        target = f"#answer {selector}"
        if self.mode == "keyboard":
            tab_to(self.page, target)
            outline = self.page.evaluate(
                "() => getComputedStyle(document.activeElement).outlineStyle"
            )
            assert outline not in ("none", "")
            self.page.keyboard.press("Enter")
        else:
            self.page.locator(target).click()
        expect(self.page.locator("#log .from-them").last).to_contain_text(then)
        self.record()

    def type(self, text: str, then: str) -> None:
        if self.mode == "keyboard":
            tab_to(self.page, "#reply")
            self.page.keyboard.type(text)
            self.page.keyboard.press("Enter")
        else:
            self.page.locator("#reply").fill(text)
            self.page.locator("form.typed button[type=submit]").click()
        expect(self.page.locator("#log .from-them").last).to_contain_text(then)
        self.record()


def tab_to(page: Page, selector: str, presses: int = 80) -> None:
    for _ in range(presses):
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")
