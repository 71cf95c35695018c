"""The target interface: what is measured.

A target does one unit of work at a time: for an endpoint one streamed request (send time, each
text chunk's arrival, text, usage); for an on-device runtime one inference. Times are integer
nanoseconds from the ``now`` function the caller gives (the session clock). A failure is a result
with ``ok=False`` and a plain ``error``; a target method never raises for a failed request.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar


class TargetUnavailable(Exception):
    """The target cannot be reached or used; the message says why and what to do."""


@dataclass
class RequestSpec:
    """One unit of work to send."""

    seq: int
    prompt: str
    input_tokens: int  # requested input length, tokens
    max_tokens: int  # requested output length, tokens
    model: str = ""


@dataclass
class RequestResult:
    """What happened to one request. ``chunk_ns`` holds the arrival time of every chunk that
    carried generated text (reasoning fields included); ``chunk_chars`` its text length."""

    seq: int
    sent_ns: int
    done_ns: int = 0
    ok: bool = False
    error: str = ""
    http_status: int | None = None
    chunk_ns: list[int] = field(default_factory=list)
    chunk_chars: list[int] = field(default_factory=list)
    text: str = ""
    prompt_tokens: int | None = None  # usage.prompt_tokens
    completion_tokens: int | None = None  # usage.completion_tokens
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. npu_time_us for on-device

    @property
    def first_ns(self) -> int | None:
        return self.chunk_ns[0] if self.chunk_ns else None

    @property
    def last_ns(self) -> int | None:
        return self.chunk_ns[-1] if self.chunk_ns else None


class Target(abc.ABC):
    """Something a sweep sends work to."""

    kind: ClassVar[str] = ""
    unit: ClassVar[str] = "token"  # "token" or "inference"

    def __init__(self, now: Callable[[], int]):
        self.now = now
        self.on_chunk: Callable[[int], None] | None = None
        """Called with the arrival time of every text-carrying chunk as it arrives (live view)."""

    async def probe(self) -> dict[str, Any]:
        """Check the target answers before anything is measured; returns what it says about
        itself (models, versions). Raises :class:`TargetUnavailable` with a plain message."""
        return {}

    async def check_request(self) -> dict[str, Any]:
        """After :meth:`probe`: one real unit of work of the kind the run sends, where that is
        cheap, so a target that answers the probe but refuses the work (a rejected key, a model
        or API it lacks) stops the run before anything is measured. Raises
        :class:`TargetUnavailable`; returns what it showed. Nothing by default."""
        return {}

    async def open(self, concurrency: int) -> None:
        """Prepare for up to ``concurrency`` requests in flight."""

    @abc.abstractmethod
    async def send(self, spec: RequestSpec) -> RequestResult:
        """Send one request and wait for it to finish. Never raises for a failed request."""

    async def close(self) -> None:
        """Release connections."""

    def describe(self) -> dict[str, Any]:
        """Facts for the Session sheet (capabilities detected, versions)."""
        return {}
