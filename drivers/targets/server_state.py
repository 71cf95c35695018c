"""What an OpenAI-compatible server says about itself: its models, version, health and metrics.

Asked before a run and around each point, so the session records the system under test as it
answered, not as the plan described it. Every route is asked whether or not the server has it:
an absent route is recorded by its HTTP status, an unreachable one by the error, never skipped
silently.

- ``/v1/models`` (beside the other ``/v1`` routes): the served models (vLLM, SGLang, TGI,
  llama.cpp, furiosa-llm);
- ``/version``: vLLM ``{"version": ...}``, furiosa-llm's component versions;
- ``/health``: vLLM, SGLang and TGI answer 200 with an empty body, llama.cpp
  ``{"status": "ok"}``;
- ``/metrics``: Prometheus text (vLLM, SGLang with ``--enable-metrics``, furiosa-llm with
  ``--enable-metrics``, TGI, llama.cpp with ``--metrics``);
- ``/props`` (llama.cpp: model path, build, context size) and ``/info`` (TGI: model id, sha,
  version) where present.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..redact import redact_text, redact_url

TIMEOUT_S = 5.0
MAX_BODY = 64 * 1024
MAX_METRICS = 8 << 20
IDENTITY_ROUTES = ("/v1/models", "/version", "/health", "/props", "/info")
METRICS_ROUTE = "/metrics"


def root_of(base_url: str) -> str:
    """The server's root URL from its ``/v1`` base URL (without a query)."""
    u = urlsplit(base_url)
    base = u.path.rstrip("/")
    return urlunsplit((u.scheme, u.netloc, base.removesuffix("/v1"), "", ""))


def route_url(base_url: str, route: str) -> str:
    """The URL of ``route``: ``/v1/models`` under the base URL, the others at the server's
    root; the base URL's query (``?api-version=...``) is kept."""
    u = urlsplit(base_url)
    base = u.path.rstrip("/")
    path = f"{base}/models" if route == "/v1/models" else f"{base.removesuffix('/v1')}{route}"
    return urlunsplit((u.scheme, u.netloc, path, u.query, ""))


def _answer(resp: httpx.Response, limit: int) -> dict[str, Any]:
    out: dict[str, Any] = {"status": resp.status_code}
    body = resp.content[:limit]
    if len(resp.content) > limit:
        out["truncated_at"] = limit
    if not body:
        return out
    kind = resp.headers.get("content-type", "")
    if "json" in kind or body[:1] in (b"{", b"["):
        try:
            out["json"] = json.loads(body)
            return out
        except ValueError:
            pass
    out["text"] = body.decode("utf-8", "replace")
    return out


async def _get(client: httpx.AsyncClient, url: str, limit: int) -> dict[str, Any]:
    try:
        resp = await client.get(url)
    except httpx.TimeoutException:
        return {"error": f"no answer within {TIMEOUT_S:g} s"}
    except httpx.HTTPError as exc:
        text = redact_text(str(exc))
        return {"error": f"{type(exc).__name__}: {text}" if text else type(exc).__name__}
    return _answer(resp, limit)


async def fetch_state(base_url: str, headers: dict[str, str] | None = None,
                      metrics: bool = True, identity: bool = True,
                      timeout_s: float = TIMEOUT_S) -> dict[str, Any]:
    """Ask the server every route at once; returns ``{"base_url": ..., "answers": {route:
    {"status", "json" | "text", "truncated_at"} | {"error"}}}``, ready to be journaled as
    JSON (the base URL's credentials masked). ``identity`` asks the identity routes,
    ``metrics`` scrapes ``/metrics``."""
    routes: list[tuple[str, str, int]] = []
    if identity:
        routes += [(r, route_url(base_url, r), MAX_BODY) for r in IDENTITY_ROUTES]
    if metrics:
        routes.append((METRICS_ROUTE, route_url(base_url, METRICS_ROUTE), MAX_METRICS))
    async with httpx.AsyncClient(timeout=timeout_s, trust_env=False,
                                 headers=headers or {}) as client:
        answers = await asyncio.gather(*(_get(client, url, limit) for _, url, limit in routes))
    return {"base_url": redact_url(base_url),
            "answers": {r: a for (r, _, _), a in zip(routes, answers)}}


def metrics_text(state: dict[str, Any]) -> str | None:
    """The Prometheus text of a state's ``/metrics`` answer, if it gave one."""
    answer = (state.get("answers") or {}).get(METRICS_ROUTE) or {}
    if answer.get("status") == 200 and isinstance(answer.get("text"), str):
        return answer["text"]
    return None


def summary(state: dict[str, Any]) -> str:
    """One line: each route's status."""
    parts = []
    for route, answer in (state.get("answers") or {}).items():
        if "error" in answer:
            parts.append(f"{route} unreachable")
        else:
            parts.append(f"{route} {answer.get('status')}")
    return ", ".join(parts)
