"""Nobody in: loopback by default, writes behind a token, uploads checked by content and never
used as paths, document text shown as data everywhere, spreadsheet formulas neutralised, CORS
off unless configured."""

from __future__ import annotations

import csv
import hashlib
import inspect
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.robustness.conftest import TOKEN, free_port

REPO = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": f"Bearer {TOKEN}"}

HOSTILE_DOC = (  # its title (the 文件 column) and its measures start with formula triggers
    "=HYPERLINK(\"http://evil.example/\",\"点击领取\")关于加强园区安全管理的通知\n"
    "各县（区）人民政府，市直有关部门：\n"
    "一、<script>window.__xss=2;alert(1)</script>加强园区安全建设。2025年底前完成。（责任单位：市应急管理局）\n"
    "二、<img src=x onerror=\"window.__xss=1;alert(3)\">优化园区营商环境。（责任单位：市科技局）\n"
    "三、=HYPERLINK(\"http://evil.example/\",\"点击领取\")推进园区数字化。（责任单位：市发展改革委）\n"
    "四、+1+cmd|' /C calc'!A0 加强园区消防管理。（责任单位：市消防救援支队）\n"
    "五、@SUM(1+1)*cmd|' /C calc'!A0 完善园区配套设施。（责任单位：市住房城乡建设局）\n"
)
FORMULA_START = ("=", "+", "-", "@")


def upload(client, name: str, data: bytes, headers: dict | None = AUTH):
    return client.post("/documents", files={"file": (name, data, "application/octet-stream")},
                       headers=headers or {})


@pytest.fixture(scope="module")
def hostile_doc_id(secure_client) -> str:
    response = upload(secure_client, "恶意.txt", HOSTILE_DOC.encode("utf-8"))
    assert response.status_code == 201, response.text
    build = response.json()["build"]
    ids = build["added"] + build["updated"] + build["unchanged"]
    assert len(ids) == 1, build
    return ids[0]


# --------------------------------------------------------------------------- binding


def test_default_bind_address_is_loopback() -> None:
    from search_api.cli import serve
    from search_api.app import run_server

    assert inspect.signature(run_server).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"


def _listening_addresses(port: int) -> set[str]:
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                found.add(address if width == 32 else ".".join(
                    str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_taizhang_serve_listens_on_loopback_only(secure_settings: Settings) -> None:
    """``taizhang serve`` with no --host: the socket is bound to 127.0.0.1, nothing else."""
    port = free_port()
    env = {**os.environ, "TAIZHANG_EMBEDDING_MODEL": "fake", "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1"}
    taizhang = shutil.which("taizhang", path=str(Path(sys.executable).parent)) or "taizhang"
    proc = subprocess.Popen([taizhang, "serve", "--port", str(port), "--data-dir", str(secure_settings.data_dir)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 90
        while not (addresses := _listening_addresses(port)):
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.time() < deadline, "taizhang serve did not start listening"
            time.sleep(0.2)
        assert addresses == {"127.0.0.1"}, addresses
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --------------------------------------------------------------------------- who may write


@pytest.mark.parametrize("path", ["/documents", "/tasks", "/units", "/consistency",
                                  "/search?q=%E5%9C%9F%E5%9C%B0%E8%A6%81%E7%B4%A0", "/"])
def test_read_endpoints_are_open(secure_client, path: str) -> None:
    assert secure_client.get(path).status_code == 200


@pytest.mark.parametrize("headers", [None, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN + "x"},
                                     {"Authorization": "Basic " + TOKEN}, {"X-Token": TOKEN}])
def test_writes_need_the_token(secure_client, secure_settings: Settings, headers) -> None:
    before = sorted((secure_settings.data_dir / "uploads").glob("*")) if (secure_settings.data_dir / "uploads").exists() else []
    assert upload(secure_client, "a.txt", HOSTILE_DOC.encode(), headers=headers).status_code == 401
    assert secure_client.post("/rebuild", headers=headers or {}).status_code == 401
    after = sorted((secure_settings.data_dir / "uploads").glob("*")) if (secure_settings.data_dir / "uploads").exists() else []
    assert after == before


def test_writes_are_off_without_a_configured_token(secure_settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    with TestClient(create_app(secure_settings.model_copy(update={"api_token": None}))) as client:
        assert upload(client, "a.txt", HOSTILE_DOC.encode()).status_code == 403
        assert client.post("/rebuild", headers=AUTH).status_code == 403
        assert client.get("/tasks").status_code == 200


# --------------------------------------------------------------------------- uploads


def _files_under(root: Path) -> set[Path]:
    """Files under ``root``, less those of a PostgreSQL cluster another test of the session runs
    there (it writes its own files at any time)."""
    clusters = [p.parent for p in root.rglob("PG_VERSION") if (p.parent / "postgresql.conf").exists()]
    return {p for p in root.rglob("*") if p.is_file() and not any(p.is_relative_to(c) for c in clusters)}


def test_upload_size_limit(secure_settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    small = secure_settings.model_copy(update={"max_file_bytes": 4096})
    with TestClient(create_app(small)) as client:
        before = _files_under(secure_settings.data_dir)
        response = upload(client, "big.txt", ("园区" * 4000).encode())
        assert response.status_code == 413, response.text
        assert _files_under(secure_settings.data_dir) - before == set()


@pytest.mark.parametrize("name,data", [
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)) * 8),
    ("photo.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 512),
    ("archive.docx", b"PK\x03\x04" + b"\x00" * 26),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
])
def test_upload_type_comes_from_content(secure_client, name: str, data: bytes) -> None:
    documents_before = secure_client.get("/documents").json()
    response = upload(secure_client, name, data)
    assert response.status_code in (415, 422), response.text
    assert secure_client.get("/documents").json() == documents_before


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "..\\..\\..\\evil.txt", "/tmp/taizhang-abs-evil.txt",
                                  "a/../../../b.txt", "%2e%2e%2f%2e%2e%2fc.txt", "....//....//d.txt",
                                  "x" * 600 + ".txt", "通知\u202etxt.exe"])
def test_upload_names_never_become_paths(secure_client, secure_settings: Settings, name: str) -> None:
    root = secure_settings.data_dir.parent
    before_root, before_tmp = _files_under(root), set(Path("/tmp").glob("taizhang-abs-evil*"))
    # distinct content per name (two names of equal length once collided: one stored file)
    text = HOSTILE_DOC.replace("安全管理", f"安全管理{hashlib.sha256(name.encode()).hexdigest()[:8]}")
    response = upload(secure_client, name, text.encode())
    assert response.status_code == 201, response.text
    stored = response.json()["stored_as"]
    assert re.fullmatch(r"[0-9a-f]{16}\.txt", stored), stored
    new = _files_under(root) - before_root
    uploads = secure_settings.data_dir / "uploads"
    assert new and all(p.is_relative_to(secure_settings.data_dir) for p in new), new
    assert (uploads / stored).is_file()
    assert set(Path("/tmp").glob("taizhang-abs-evil*")) == before_tmp


def test_rejected_upload_leaves_no_file(secure_client, secure_settings: Settings) -> None:
    """A file the build refuses (here: bytes that are no text in any encoding) is not kept in
    uploads/, where every later /rebuild would trip over it again."""
    uploads = secure_settings.data_dir / "uploads"
    before = set(uploads.glob("*")) if uploads.exists() else set()
    response = upload(secure_client, "junk.txt", bytes(range(1, 32)) * 300)
    assert response.status_code in (415, 422)
    assert set(uploads.glob("*")) - before == set()


# --------------------------------------------------------------------------- text is data


def test_api_returns_markup_as_data(secure_client, hostile_doc_id: str) -> None:
    doc = secure_client.get(f"/documents/{hostile_doc_id}")
    assert doc.headers["content-type"].startswith("application/json")
    assert "<script>window.__xss=2;alert(1)</script>" in doc.json()["text"]
    tasks = secure_client.get("/tasks", params={"doc_id": hostile_doc_id})
    assert tasks.headers["content-type"].startswith("application/json")
    assert any("<img src=x" in t["text"] for t in tasks.json())
    found = secure_client.get("/search", params={"q": "园区安全建设"})
    assert found.status_code == 200 and found.headers["content-type"].startswith("application/json")


def test_web_code_never_parses_markup() -> None:
    """The page's scripts have no HTML-parsing sink at all (comments aside), so no document text
    can ever be parsed as markup, whatever the code path."""
    for js in (REPO / "search_api" / "web").glob("*.js"):
        code = re.sub(r"/\*.*?\*/|(?<![:\\])//[^\n]*", "", js.read_text(encoding="utf-8"), flags=re.S)
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in code, f"{js.name} uses {sink}"


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
@pytest.mark.timeout(180)
@pytest.mark.parametrize("bypass_csp", [False, True], ids=["as-served", "without-csp"])
def test_web_page_shows_markup_as_text(secure_server: str, hostile_doc_id: str, bypass_csp: bool) -> None:
    """No script from a document runs, with the page's Content-Security-Policy and without it
    (CSP is the second line of defence; rendering through textContent is the first)."""
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        try:
            page = browser.new_context(locale="zh-CN", bypass_csp=bypass_csp).new_page()
            page.set_default_timeout(20_000)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for hash_ in ("#/search?q=" + quote("园区安全建设"), "#/tasks", f"#/doc/{quote(hostile_doc_id)}"):
                page.goto(f"{secure_server}/{hash_}")
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)
                assert page.evaluate("window.__xss") is None, f"script ran on {hash_}"
                assert page.locator("img[src='x']").count() == 0, hash_
            page.locator("#doc-text", has_text="window.__xss=2").wait_for()
            assert "<script>window.__xss=2;alert(1)</script>" in page.locator("#doc-text").inner_text()
        finally:
            browser.close()
    assert not dialogs, dialogs


# --------------------------------------------------------------------------- spreadsheets


def _bad_cells(values) -> list[str]:
    return [v for v in values if isinstance(v, str) and v.startswith(FORMULA_START)]


def test_xlsx_export_neutralises_formulas(secure_client, hostile_doc_id: str) -> None:
    from openpyxl import load_workbook

    response = secure_client.get("/export.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "formula cells in the export"
    values = [c.value for c in cells]
    assert not _bad_cells(values), _bad_cells(values)[:5]
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in values), "payload missing"


def test_csv_export_neutralises_formulas(secure_settings: Settings, hostile_doc_id: str, tmp_path: Path) -> None:
    from extractors.export.write import run_export_command

    path = run_export_command(secure_settings, fmt="csv", out=tmp_path / "ledger.csv")
    text = path.read_text(encoding="utf-8-sig")
    values = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not _bad_cells(values), _bad_cells(values)[:5]
    assert any(v.startswith("'=HYPERLINK") for v in values), "payload missing"


# --------------------------------------------------------------------------- CORS


def test_cors_is_off_by_default(secure_client) -> None:
    origin = {"Origin": "http://evil.example"}
    assert "access-control-allow-origin" not in secure_client.get("/tasks", headers=origin).headers
    preflight = secure_client.options("/documents", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_follows_configuration(secure_settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    allowed = "http://intranet.example"
    app = create_app(secure_settings.model_copy(update={"cors_origins": [allowed]}))
    with TestClient(app) as client:
        assert client.get("/tasks", headers={"Origin": allowed}).headers["access-control-allow-origin"] == allowed
        other = client.get("/tasks", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


# --------------------------------------------------------------------------- headers, health


@pytest.mark.parametrize("path", ["/", "/tasks", "/health", "/no-such-page"])
def test_security_headers_on_every_response(secure_client, path: str) -> None:
    headers = secure_client.get(path).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_only_a_bearer_token_is_accepted(secure_client) -> None:
    bare = {"Authorization": TOKEN}
    assert secure_client.post("/rebuild", headers=bare).status_code == 401


def test_health_is_ready_with_registry_and_index(secure_client) -> None:
    response = secure_client.get("/health")
    assert response.status_code == 200 and response.json() == {
        "status": "ok", "live": True, "registry": True, "index": True}


def test_health_is_live_but_not_ready_without_an_index(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    with TestClient(create_app(Settings(data_dir=tmp_path / "empty"))) as client:
        response = client.get("/health")
    assert response.status_code == 503 and response.json()["live"] is True
    assert response.json()["index"] is False


def test_a_link_out_of_the_documents_folder_is_refused_not_read(tmp_path: Path) -> None:
    from extractors.registry.build import build_registry
    from extractors.registry.store import Registry

    folder = tmp_path / "docs"
    folder.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (folder / "passwd.txt").symlink_to(secret)
    (folder / "good.txt").write_text(HOSTILE_DOC, encoding="utf-8")
    inside = folder / "sub"
    inside.mkdir()
    (inside / "alias.txt").symlink_to(folder / "good.txt")  # a link inside the folder is fine
    settings = Settings(data_dir=tmp_path / "data")
    report = build_registry([folder], settings, progress=False)
    assert [f.message for f in report.failed if "passwd.txt" in f.path][0].startswith("[E109]")
    with Registry.open(settings) as registry:
        assert not any("root:x" in (registry.document(m.doc_id).text) for m in registry.documents())
        assert len(registry.documents()) == 1


def test_taizhang_serve_says_where_and_when_it_is_ready(secure_settings: Settings) -> None:
    port = free_port()
    env = {**os.environ, "TAIZHANG_EMBEDDING_MODEL": "fake", "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    taizhang = shutil.which("taizhang", path=str(Path(sys.executable).parent)) or "taizhang"
    proc = subprocess.Popen([taizhang, "serve", "--port", str(port), "--data-dir", str(secure_settings.data_dir)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = proc.stdout.readline()
        second = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first and "正在启动" in first
        assert "就绪" in second
    finally:
        proc.terminate()
        proc.wait(timeout=30)
