"""A name for a credential registered without one: the browser and system it was made on."""

from __future__ import annotations

# Order matters: Edge and Chrome on Android also say "Chrome", and Chrome also says "Safari".
BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("HarmonyOS", "HarmonyOS"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def _first(user_agent: str, table: tuple[tuple[str, str], ...]) -> str:
    return next((name for marker, name in table if marker in user_agent), "")


def label_from_user_agent(user_agent: str) -> str:
    """E.g. "Chrome · Windows"; "" when the browser says nothing we recognise."""
    return " · ".join(part for part in (_first(user_agent, BROWSERS), _first(user_agent, SYSTEMS)) if part)
