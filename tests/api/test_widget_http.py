"""The widget over HTTP: its page, its files, and the framing policy from settings."""

from __future__ import annotations

import httpx
import pytest

from qa.errors import SettingsError
from qa.web.widget import content_security_policy, frame_ancestors


def test_widget_page_forbids_framing_by_default(client: httpx.Client) -> None:
    r = client.get("/widget")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and csp.rstrip().endswith("frame-ancestors 'self'")
    # Everything the page loads must come from this server.
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert "http" not in r.text.replace("http-equiv", "")


@pytest.mark.parametrize("name", ["widget.js", "widget.css"])
def test_widget_files(client: httpx.Client, name: str) -> None:
    r = client.get(f"/widget/{name}")
    assert r.status_code == 200
    assert "http://" not in r.text and "https://" not in r.text


def test_unknown_widget_file_is_404(client: httpx.Client) -> None:
    assert client.get("/widget/secret.py").status_code == 404


def test_allowed_origins_become_frame_ancestors() -> None:
    assert frame_ancestors("") == "frame-ancestors 'self'"
    assert (
        frame_ancestors("https://wiki.example.com, http://127.0.0.1:8080/")
        == "frame-ancestors 'self' https://wiki.example.com http://127.0.0.1:8080"
    )
    assert frame_ancestors("https://*.example.com") == "frame-ancestors 'self' https://*.example.com"


@pytest.mark.parametrize(
    "bad", ["wiki.example.com", "https://a.com; script-src *", "'unsafe-inline'", "https://a.com/x y"]
)
def test_malformed_origins_are_refused(bad: str) -> None:
    with pytest.raises(SettingsError):
        content_security_policy(bad)
