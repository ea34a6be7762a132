"""/docs and /redoc are served from the installed package (no CDN) under a policy that allows
only their own inline start-up script; /labels serves the one label table; /search hits carry
their text (issue 20)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi.testclient import TestClient

from pipeline.labels import labels
from search_api.app import create_app


@pytest.fixture(scope="module")
def client(built_settings):
    with TestClient(create_app(built_settings)) as c:
        yield c


@pytest.mark.parametrize(("path", "asset"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")])
def test_docs_pages_load_their_assets_from_this_server(client, path: str, asset: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls and all(u.startswith("/") for u in urls), urls  # nothing from elsewhere
    assert f"/docs-assets/{asset}" in urls
    script = client.get(f"/docs-assets/{asset}")
    assert script.status_code == 200 and len(script.content) > 100_000


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_have_a_tight_script_policy(client, path: str) -> None:
    page = client.get(path)
    policy = page.headers["content-security-policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src")).split()[1:]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert not [s for s in script_src if s.startswith("http") or s == "*"]
    for body in re.findall(r"<script>(.*?)</script>", page.text, re.S):  # each inline script by hash
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src
    assert "frame-ancestors 'none'" in policy


def test_the_web_page_keeps_its_own_policy(client) -> None:
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "sha256" not in policy


def test_labels_are_served_from_the_one_table(client) -> None:
    body = client.get("/labels").json()
    assert body == labels().model_dump()
    assert body["finding_kind"]["rule_conflict"] == "规则冲突" and body["comparator"]["ge"] == "≥"


def test_search_hits_carry_their_text_and_highlights(client) -> None:
    body = client.get("/search", params={"q": "编制园区发展规划", "k": 3}).json()
    for hit in body["hits"]:
        assert hit["text"], hit["card"]["item_id"]
        for h in hit["highlights"]:
            assert 0 <= h["start"] < h["end"] <= len(hit["text"])
    top = body["hits"][0]
    assert any(top["text"][h["start"]:h["end"]] in "编制园区发展规划" for h in top["highlights"])
