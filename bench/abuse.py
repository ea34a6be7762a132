"""Abusive clients beside the load test's well-behaved ones (``bench.load_test --abuse``).

While the load runs, this thread keeps up three kinds of traffic and counts the answers:

- ``wrong_token``: POST /rebuild with a wrong token, back to back on two connections (a token
  guesser). Past ``failed_token_limit`` a minute it should get 429 with Retry-After, never a
  build and never a 5xx.
- ``export``: GET /export.xlsx on six connections at once (more than ``heavy_requests``). The
  workbook is built once per registry generation; the requests past the bound get 429.
- ``health``: GET /health once a second: it must answer 200 throughout.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter


class Abuse(threading.Thread):
    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.answers: dict[str, Counter] = {"wrong_token": Counter(), "export": Counter(), "health": Counter()}
        self.health_max_ms = 0.0
        self._stop_at: float | None = None
        self._stopping = threading.Event()

    def run(self) -> None:
        asyncio.run(self._main())

    def stop(self) -> dict:
        self._stopping.set()
        self.join()
        return self.summary()

    def summary(self) -> dict:
        out: dict = {}
        for kind, counts in self.answers.items():
            total = sum(counts.values())
            out[kind] = {"requests": total, "by_status": dict(sorted(counts.items())),
                         "share_429": round(counts.get("429", 0) / total, 3) if total else None}
        out["health"]["max_ms"] = round(self.health_max_ms, 1)
        return out

    async def _main(self) -> None:
        import httpx

        async with httpx.AsyncClient(base_url=self.base, timeout=30) as client:
            await asyncio.gather(*([self._loop(client, "wrong_token") for _ in range(2)]
                                   + [self._loop(client, "export") for _ in range(6)]
                                   + [self._loop(client, "health")]))

    async def _loop(self, client, kind: str) -> None:
        import httpx

        while not self._stopping.is_set():
            started = time.perf_counter()
            try:
                if kind == "wrong_token":
                    response = await client.post("/rebuild", headers={"Authorization": "Bearer guess"})
                elif kind == "export":
                    response = await client.get("/export.xlsx")
                else:
                    response = await client.get("/health")
                status = str(response.status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            self.answers[kind][status] += 1
            if kind == "health":
                self.health_max_ms = max(self.health_max_ms, (time.perf_counter() - started) * 1000)
                await asyncio.sleep(1.0)
            elif status == "429":
                await asyncio.sleep(0.05)  # an abuser that does not honour Retry-After, but breathes
