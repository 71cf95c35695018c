"""An incremental Server-Sent-Events reader and the chunks of an OpenAI-compatible stream.

:class:`SSEParser` follows the WHATWG event-stream rules (UTF-8 with a leading BOM dropped, lines
ending in CRLF, LF or CR, comment lines, ``data`` lines joined with a newline, a blank line
dispatching) and does no I/O: bytes go in, events come out, whatever the chunking. It never raises:
invalid UTF-8 is replaced, and a line or event longer than its limit is dropped and reported as an
event whose ``error`` is set, so memory stays bounded. At the end of the stream, :meth:`close`
dispatches an event left without its final blank line, since a server that closes right after its
last ``data`` line has still sent it.

:func:`parse_chunk` reads one ``data`` payload of an OpenAI streaming response, including the
server's own per-request ``timings`` where it reports them (llama.cpp's final chunk:
``prompt_n``, ``prompt_ms``, ``predicted_n``, ``predicted_ms``, ...).
"""
from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

MAX_CHARS = 1 << 20
"""The longest line, and the longest event data, kept (characters)."""

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SSEEvent:
    """One dispatched event. ``id`` is the last event id seen on the stream (``None`` if none).
    ``error`` is set, and the other fields empty, on an event that reports dropped input."""

    event: str
    data: str
    id: str | None
    error: str | None = None


class SSEParser:
    """Turns a byte stream into :class:`SSEEvent` objects, chunk by chunk."""

    def __init__(self, max_chars: int = MAX_CHARS):
        self.max_chars = max_chars
        self._reset()

    def _reset(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._after_cr = False
        self._partial: list[str] = []
        self._partial_len = 0
        self._discarding = False
        self._data: list[str] = []
        self._data_len = 0
        self._type = ""
        self._broken = False
        self._last_id: str | None = None

    def feed(self, data: bytes) -> list[SSEEvent]:
        """Take the next bytes of the stream; return the events they complete."""
        return self._consume(self._decoder.decode(data))

    def close(self) -> list[SSEEvent]:
        """End the stream: return what is left (an unterminated last line and event) and reset."""
        events = self._consume(self._decoder.decode(b"", final=True))
        if self._partial and not self._discarding:
            self._line("".join(self._partial), events)
        self._dispatch(events)
        self._reset()
        return events

    def _consume(self, text: str) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        if not text:
            return events
        if self._after_cr and text[0] == "\n":
            text = text[1:]
        self._after_cr = text.endswith("\r")
        pos = 0
        for match in _LINE_END.finditer(text):
            self._end_line(text[pos : match.start()], events)
            pos = match.end()
        if pos < len(text) and not self._discarding:
            self._partial.append(text[pos:])
            self._partial_len += len(text) - pos
            if self._partial_len > self.max_chars:
                self._partial.clear()
                self._partial_len = 0
                self._discarding = True
                self._overflow("line", events)
        return events

    def _end_line(self, piece: str, events: list[SSEEvent]) -> None:
        if self._discarding:
            self._discarding = False
            return
        if self._partial:
            self._partial.append(piece)
            piece = "".join(self._partial)
            self._partial.clear()
            self._partial_len = 0
        if len(piece) > self.max_chars:
            self._overflow("line", events)
            return
        self._line(piece, events)

    def _line(self, line: str, events: list[SSEEvent]) -> None:
        if not line:
            self._dispatch(events)
            return
        if line[0] == ":" or self._broken:
            return
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._data_len += len(value) + 1
            if self._data_len > self.max_chars:
                self._overflow("event", events)
        elif name == "event":
            self._type = value
        elif name == "id" and "\0" not in value:
            self._last_id = value

    def _overflow(self, what: str, events: list[SSEEvent]) -> None:
        self._broken = True
        self._data.clear()
        self._data_len = 0
        events.append(
            SSEEvent(
                "", "", self._last_id, f"{what} longer than {self.max_chars} characters dropped"
            )
        )

    def _dispatch(self, events: list[SSEEvent]) -> None:
        if self._data and not self._broken:
            events.append(SSEEvent(self._type or "message", "\n".join(self._data), self._last_id))
        self._data.clear()
        self._data_len = 0
        self._type = ""
        self._broken = False


class Usage(NamedTuple):
    """Token counts a server reports in a stream's ``usage`` object."""

    prompt_tokens: int | None
    completion_tokens: int | None


@dataclass(frozen=True)
class StreamChunk:
    """One ``data`` payload of an OpenAI streaming response."""

    text: str = ""
    usage: Usage | None = None
    done: bool = False
    error: str | None = None
    malformed: bool = False
    finish_reason: str | None = None
    timings: dict[str, float] | None = None


def parse_chunk(data: str) -> StreamChunk:
    """Read one payload: generated text (``text``, ``delta.content`` and reasoning fields), usage,
    the ``[DONE]`` marker, an error object, or a payload that is not a JSON object."""
    if data.strip() == "[DONE]":
        return StreamChunk(done=True)
    try:
        obj = json.loads(data)
    except ValueError:
        return StreamChunk(malformed=True)
    if not isinstance(obj, dict):
        return StreamChunk(malformed=True)
    error = _error_message(obj)
    parts: list[str] = []
    finish_reason = None
    choices = obj.get("choices")
    for choice in choices if isinstance(choices, list) else ():
        if not isinstance(choice, dict):
            continue
        parts.append(_str(choice.get("text")))
        delta = choice.get("delta")
        if isinstance(delta, dict):
            reasoning_content = _str(delta.get("reasoning_content"))
            reasoning = _str(delta.get("reasoning"))
            parts.append(reasoning_content)
            if reasoning != reasoning_content:
                parts.append(reasoning)
            parts.append(_str(delta.get("content")))
        if isinstance(choice.get("finish_reason"), str):
            finish_reason = choice["finish_reason"]
    return StreamChunk(
        text="".join(parts),
        usage=_usage(obj.get("usage")),
        error=error,
        finish_reason=finish_reason,
        timings=_timings(obj.get("timings")),
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _timings(value: Any) -> dict[str, float] | None:
    """The numeric fields of a server's ``timings`` object (llama.cpp), else None."""
    if not isinstance(value, dict):
        return None
    out = {str(k): v for k, v in value.items()
           if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return out or None


def _usage(value: Any) -> Usage | None:
    if not isinstance(value, dict):
        return None
    usage = Usage(_int(value.get("prompt_tokens")), _int(value.get("completion_tokens")))
    return usage if usage != (None, None) else None


def _error_message(obj: dict[str, Any]) -> str | None:
    """The message of an ``{"error": ...}`` object, or of ``{"object": "error", ...}``."""
    if obj.get("object") == "error":
        return _str(obj.get("message")) or "error"
    error = obj.get("error")
    if not error:
        return None
    if isinstance(error, dict):
        return _str(error.get("message")) or json.dumps(error, ensure_ascii=False)[:300]
    return str(error)[:300] or "error"
