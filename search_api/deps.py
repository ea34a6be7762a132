"""Typed dependencies shared by the routers: settings, the registry, the write token."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from extractors.registry.store import Registry
from pipeline.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_registry(request: Request) -> Registry:
    return request.app.state.registry


SettingsDep = Annotated[Settings, Depends(get_settings)]
RegistryDep = Annotated[Registry, Depends(get_registry)]


def require_token(settings: SettingsDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """Write endpoints need ``Authorization: Bearer <TAIZHANG_API_TOKEN>``; unset token = writes off."""
    if not settings.api_token:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "writes are disabled: set TAIZHANG_API_TOKEN")
    scheme, _, supplied = (authorization or "").partition(" ")
    # only "Bearer <token>": a bare token or another scheme is refused, compared in constant time
    matches = hmac.compare_digest(supplied.strip().encode(), settings.api_token.encode())
    if scheme != "Bearer" or not matches:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or wrong token")


TokenDep = Annotated[None, Depends(require_token)]
