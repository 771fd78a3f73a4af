"""axe-core (npm, pinned by package-lock.json, installed by `make setup`) run in a Playwright page (#9).

The source is evaluated through Playwright rather than added as a <script> tag: the site's
Content-Security-Policy (`script-src 'self'`) refuses inline scripts, and a script evaluated over the
DevTools protocol is not subject to the page's policy. So the page is checked exactly as it is
served; a context with `bypass_csp` would instead let inline scripts and styles the policy blocks
run, and check a page no user sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
AXE_SOURCE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


class AxeMissing(RuntimeError):
    """node_modules/ has no axe-core: a failure of the run, never a reason to skip the check."""


def axe_source(path: Path = AXE_SOURCE) -> str:
    if not path.is_file():
        raise AxeMissing(f"axe-core is not installed ({path} is missing): run `make setup`, "
                         "which installs the front-end libraries from package-lock.json with `npm ci`.")
    return path.read_text(encoding="utf-8")


def axe_violations(page, impacts: Iterable[str] = SERIOUS) -> list[dict]:
    """Run every axe rule on the page as it is now; the violations whose impact is one of `impacts`."""
    if page.evaluate("() => typeof window.axe === 'undefined'"):
        page.evaluate(axe_source())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    wanted = set(impacts)
    return [violation for violation in results["violations"] if violation["impact"] in wanted]


def violations_report(violations: list[dict]) -> str:
    """One paragraph per violation: its rule id, impact, help, and each node's selector with the first
    of axe's ways to fix it."""
    lines = []
    for violation in violations:
        rule, impact = violation["id"], violation["impact"]
        lines.append(f"{rule} ({impact}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            checks = node["any"] or node["all"] or node["none"]
            fix = checks[0]["message"] if checks else ""
            lines.append(f"    {' '.join(map(str, node['target']))}: {fix}")
    return "\n".join(lines)
