"""The FastAPI application: ``create_app(settings)`` builds it; the lifespan opens the registry
and makes the search engine (``app.state.registry``, ``app.state.engine``), which the routes get
through the typed dependencies of deps.py.

The engine loads the search index and the query embedder on the first search (or in the
lifespan when ``warm=True``), never at import. Domain errors are mapped to HTTP codes here, at
the edge.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from pipeline.errors import IndexNotBuiltError, TaizhangError
from pipeline.settings import Settings

from search_api.api_docs import add_offline_docs
from search_api.limits import RequestLimits
from search_api.paths import public_message
from search_api.search.engine import SearchEngine

WEB_DIR = Path(__file__).resolve().parent / "web"
# Sent with every response, the page's own CSP included (a header can say frame-ancestors; the
# page's <meta> cannot).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def create_app(settings: Settings | None = None, *, warm: bool = False) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from extractors.registry.locks import build_running
        from extractors.registry.snapshot import SnapshotPool
        from extractors.registry.store import Registry
        from extractors.tracking.tables import TrackingStore

        app.state.settings = settings
        app.state.registry = Registry.open(settings)
        TrackingStore(app.state.registry)  # its tables made now: the snapshots below only read
        app.state.engine = SearchEngine(settings)
        # read connections that can still see the registry the served index was built from
        # while a build is between its two phases (search/consistent.py)
        app.state.snapshots = SnapshotPool.for_url(settings.registry_url, building=partial(build_running, settings))
        if warm:  # a served process: say where, once the index and the model are in memory
            app.state.engine.warm_up()
            print(f"taizhang：已就绪，数据目录 {settings.data_dir}", flush=True)
        try:
            yield
        finally:
            if app.state.snapshots is not None:
                app.state.snapshots.close()
            app.state.engine.close()

    app = FastAPI(
        title="taizhang 台账 API",
        description="Measures, responsible units, deadlines, targets and consistency findings "
        "extracted from policy documents, with provenance to page and line.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served offline by api_docs.add_offline_docs
        redoc_url=None,
    )
    if settings.cors_origins:  # CORS stays off unless an operator lists origins
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET"], allow_headers=["*"]
        )

    # outermost but for the headers below: refuses before the body is read (limits.py)
    app.add_middleware(RequestLimits, settings=settings)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            # the docs pages set a policy of their own (their inline start-up script, by hash)
            response.headers.setdefault(name, value)
        return response

    @app.get("/health", tags=["health"])
    def health(request: Request, response: Response) -> dict:
        """Liveness and readiness: 200 when the registry answers and a search index is there;
        503 (with what is missing) when the server is up but cannot answer searches."""
        checks = {"registry": False, "index": False}
        try:
            checks["registry"] = bool(request.app.state.registry.generation())
        except Exception:  # noqa: BLE001 - any failure to reach the store means not ready
            pass
        checks["index"] = request.app.state.engine.has_index()
        ready = all(checks.values())
        response.status_code = 200 if ready else 503
        return {"status": "ok" if ready else "not ready", "live": True, **checks}

    @app.exception_handler(IndexNotBuiltError)
    async def _index_missing(request: Request, exc: IndexNotBuiltError) -> JSONResponse:
        return JSONResponse({"detail": public_message(exc.message, settings)}, status_code=503)

    @app.exception_handler(TaizhangError)
    async def _domain_error(request: Request, exc: TaizhangError) -> JSONResponse:
        return JSONResponse({"detail": public_message(exc.message, settings), "code": exc.code}, status_code=422)

    add_offline_docs(app)
    from search_api.routes import (
        admin, consistency, documents, export, labels, ledger, relations, search, tasks, units,
    )

    for module in (search, tasks, documents, units, export, consistency, relations, admin, ledger, labels):
        app.include_router(module.router)
    if (WEB_DIR / "index.html").exists():
        app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="web")
    return app


def run_server(settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    import uvicorn

    from search_api.http_protocol import PROTOCOL

    print(f"taizhang：正在启动 http://{host}:{port}/ （接口文档 /docs；Ctrl+C 停止）", flush=True)

    if workers > 1:  # uvicorn needs an import string to fork workers
        import os

        os.environ["TAIZHANG_DATA_DIR"] = str(settings.data_dir)
        uvicorn.run(
            "search_api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
            loop="uvloop", http=PROTOCOL, log_level="warning",
        )
    else:
        uvicorn.run(
            create_app(settings, warm=True), host=host, port=port, loop="uvloop", http=PROTOCOL,
            log_level="warning",
        )


def app_from_env() -> FastAPI:
    return create_app(Settings(), warm=True)
