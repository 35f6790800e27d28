"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers; says nothing about its stores."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The default collection's stores answer a real read and models are loaded: a replica
    that fails this gets no traffic."""
    components = request.app.state.components
    checks: dict[str, str] = {}
    for name, probe in (("catalog", lambda: components.corpus().catalog.stats()),
                        ("vectors", lambda: components.corpus().vectors.read_probe())):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            checks[name] = f"unavailable: {type(exc).__name__}"
    checks["models"] = "ok" if components.models_loaded() else "not loaded"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)
