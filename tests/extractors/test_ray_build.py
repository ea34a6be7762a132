"""`taizhang build --ray`: the corpus parsed and extracted on a real local Ray cluster (started by
the build itself, ray.init with Settings.ray_num_cpus) stores exactly what a serial build stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.registry.build import build_registry
from extractors.registry.store import Registry
from pipeline.settings import Settings


def _ledger(settings: Settings) -> tuple[dict, list[str], list[str]]:
    with Registry.open(settings) as registry:
        return (registry.document_hashes(), [t.model_dump_json() for t in registry.tasks()],
                [t.model_dump_json() for t in registry.targets()])


@pytest.mark.slow
def test_a_ray_build_stores_what_a_serial_build_stores(tmp_path: Path, corpus_dir: Path) -> None:
    import ray  # `.[test]` installs taizhang[ray]: a missing ray fails here, never skips
    serial = Settings(data_dir=tmp_path / "serial", build_workers=1)
    on_ray = Settings(data_dir=tmp_path / "ray", build_ray=True, ray_num_cpus=2)
    try:
        assert not build_registry([corpus_dir], serial, progress=False).failed
        report = build_registry([corpus_dir], on_ray, progress=False)
        assert ray.is_initialized() and ray.cluster_resources().get("CPU") == 2
    finally:
        ray.shutdown()
    assert not report.failed and len(report.added) == len(list(corpus_dir.glob("*.txt")))
    assert _ledger(on_ray) == _ledger(serial)
