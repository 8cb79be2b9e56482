"""The console in a real browser: open it as a user, look at it, keep a screenshot.

    page = console(browser, base_url, bearer, "/incidents")   # signed in as the token's user
    ...                                                         # act as the user would
    done(page, "incidents-list")                                # screenshot, then: no console errors,
                                                                # no horizontal scroll
"""
from __future__ import annotations

from typing import Any

from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "build" / "screenshots"
CONSOLE = {"width": 1366, "height": 768}
FIELD = {"width": 390, "height": 844}


def console(browser: Any, base_url: str, bearer: str | None, path: str = "/", *, viewport: dict[str, int] = CONSOLE,
            locale: str = "zh-CN") -> Any:
    """A new page signed in with `bearer` (none: signed out), at `path`; it records console errors
    and failed page loads in `page.errors` for `done` to check."""
    page = browser.new_page(viewport=viewport, locale=locale)
    page.errors = []
    page.on("console", lambda m: page.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(f"pageerror: {e}"))
    if bearer:
        page.add_init_script(f"localStorage.setItem('gongjian.token', {bearer!r})")
    page.goto(f"{base_url}{path}")
    return page


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), animations="disabled")


AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def accessibility_violations(page: Any) -> list[str]:
    """WCAG 2.1 A and AA failures axe-core finds on the page as it is now (contrast, labels, names,
    ARIA), one line each."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}))
        .violations.map(v => `${v.id}: ${v.nodes.length}× ${v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', ')}`)""")
    return list(found)


def done(page: Any, name: str | None = None, *, allowed_errors: tuple[str, ...] = (), accessible: bool = True) -> None:
    """Screenshot (when named), then what every screen owes its user: no script errors, no horizontal
    scroll, no WCAG 2.1 AA failure axe-core can find. `allowed_errors`: substrings of errors the test
    caused on purpose (a refused call)."""
    # a message still fading in or out is half transparent: axe would measure a blend, not its colours
    page.wait_for_function("!document.querySelector('.el-message-fade-enter-active, .el-message-fade-leave-active')")
    if name:
        shot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "horizontal scroll"
    if accessible:
        violations = accessibility_violations(page)
        assert not violations, violations
    errors = [e for e in page.errors if not any(a in e for a in allowed_errors)]
    page.close()
    assert not errors, errors
