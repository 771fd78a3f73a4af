"""A credential registered without a name is named after the browser and system it was made on."""

from __future__ import annotations

import pytest

from metrology.passkeys.labels import label_from_user_agent


@pytest.mark.parametrize("user_agent, label", [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36 Edg/130.0",
     "Edge · Windows"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36",
     "Chrome · Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1",
     "Safari · iPhone"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Gecko/20100101 Firefox/128.0", "Firefox · macOS"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36", "Chrome · Linux"),
    ("curl/8.5", ""),
])
def test_the_label_names_the_browser_and_the_system(user_agent, label):
    assert label_from_user_agent(user_agent) == label
