"""The Server-Sent-Events reader and OpenAI stream chunks."""
from __future__ import annotations

import json
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.targets.sse import SSEEvent, SSEParser, StreamChunk, Usage, parse_chunk


def parse(*pieces: bytes, parser: SSEParser | None = None) -> list[SSEEvent]:
    parser = parser or SSEParser()
    events: list[SSEEvent] = []
    for piece in pieces:
        events += parser.feed(piece)
    return events + parser.close()


def datas(events: list[SSEEvent]) -> list[str]:
    return [e.data for e in events]


# --- hand cases: line ends ---------------------------------------------------------------------


def test_lf_crlf_and_cr_line_ends():
    for end in (b"\n", b"\r\n", b"\r"):
        assert datas(parse(b"data: a" + end + end + b"data: b" + end + end)) == ["a", "b"]


def test_cr_at_chunk_end_and_lf_at_next_start_are_one_line_end():
    parser = SSEParser()
    assert parser.feed(b"data: a\r") == []
    assert datas(parser.feed(b"\ndata: b\r\n\r\n")) == ["a\nb"]


def test_cr_then_cr_is_a_blank_line():
    assert datas(parse(b"data: a\r", b"\r", b"data: b\n\n")) == ["a", "b"]


# --- hand cases: fields ------------------------------------------------------------------------


def test_comments_are_ignored():
    assert parse(b": keep-alive\n\n: ping\n\n") == []
    assert datas(parse(b": ping\ndata: x\n: mid\n\n")) == ["x"]


def test_data_lines_are_joined_with_newline():
    assert datas(parse(b"data: a\ndata: b\ndata:\n\n")) == ["a\nb\n"]


def test_one_leading_space_is_stripped():
    assert datas(parse(b"data:  two\n\ndata:none\n\n")) == [" two", "none"]


def test_field_without_colon():
    assert datas(parse(b"data\n\n")) == [""]
    assert parse(b"bogus\n\n") == []


def test_blank_line_without_data_dispatches_nothing():
    assert parse(b"\n\n\r\n") == []
    assert datas(parse(b"event: x\n\ndata: y\n\n")) == ["y"]
    assert parse(b"event: x\n\ndata: y\n\n")[0].event == "message"


def test_event_type_and_last_id():
    events = parse(b"event: add\nid: 7\ndata: x\n\ndata: y\n\nid: a\x00b\ndata: z\n\n")
    assert events == [
        SSEEvent("add", "x", "7"),
        SSEEvent("message", "y", "7"),
        SSEEvent("message", "z", "7"),
    ]
    assert parse(b"data: q\n\n")[0].id is None


def test_unknown_fields_are_ignored():
    assert datas(parse(b"retry: 10\nfoo: bar\ndata: x\n\n")) == ["x"]


# --- hand cases: encoding ----------------------------------------------------------------------


def test_multibyte_character_split_across_chunks():
    blob = "data: é€😀\n\n".encode()
    assert datas(parse(*[blob[i : i + 1] for i in range(len(blob))])) == ["é€😀"]


def test_invalid_utf8_is_replaced():
    assert datas(parse(b"data: \xff\xfe ok\n\n")) == ["\ufffd\ufffd ok"]


def test_truncated_utf8_at_close_is_replaced():
    assert datas(parse(b"data: a\xe2\x82")) == ["a\ufffd"]


def test_leading_bom_is_dropped_even_when_split():
    assert datas(parse(b"\xef\xbb", b"\xbfdata: x\n\n")) == ["x"]
    assert datas(parse(b"data: \xef\xbb\xbfx\n\n")) == ["\ufeffx"]


# --- hand cases: end of stream and limits ------------------------------------------------------


def test_close_flushes_an_unterminated_event():
    assert datas(parse(b"data: last")) == ["last"]
    assert datas(parse(b"data: a\ndata: b\n")) == ["a\nb"]
    assert parse(b"data: a\n\n", b": tail") == [SSEEvent("message", "a", None)]


def test_parser_is_reusable_after_close():
    parser = SSEParser()
    assert datas(parse(b"id: 1\ndata: a\r", parser=parser)) == ["a"]
    assert parse(b"\ndata: b\n\n", parser=parser) == [SSEEvent("message", "b", None)]


def test_overlong_line_is_dropped_with_an_error_event_and_the_stream_recovers():
    line = b"data: " + b"a" * 1000
    for pieces in ([line], [line[i : i + 10] for i in range(0, len(line), 10)]):
        events = parse(*pieces, b"\n\ndata: ok\n\n", parser=SSEParser(max_chars=100))
        assert [e.error is not None for e in events] == [True, False]
        assert "line longer than 100" in events[0].error
        assert events[1].data == "ok"


def test_overlong_event_is_dropped_with_an_error_event():
    blob = b"data: 0123456789\n" * 20 + b"data: tail\n\n" + b"data: ok\n\n"
    events = parse(blob, parser=SSEParser(max_chars=100))
    assert "event longer than 100" in events[0].error
    assert datas(events[1:]) == ["ok"]


def test_endless_line_does_not_grow_memory():
    parser = SSEParser()
    block = b"x" * (64 * 1024)
    tracemalloc.start()
    try:
        events = [e for _ in range(256) for e in parser.feed(block)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024
    assert len(events) == 1 and events[0].error
    assert datas(parser.feed(b"\n\ndata: ok\n\n")) == ["ok"]


# --- property tests ----------------------------------------------------------------------------

_ENDS = ("\n", "\r\n", "\r")


@st.composite
def openai_streams(draw):
    """A valid OpenAI stream as bytes, and the events it must yield."""
    texts = draw(st.lists(st.text(max_size=12), max_size=8))
    payloads = [json.dumps({"choices": [{"text": t}]}, ensure_ascii=False) for t in texts]
    payloads.append(json.dumps({"usage": {"prompt_tokens": 3, "completion_tokens": 9}}))
    payloads.append("[DONE]")
    lines: list[str] = []
    expected: list[SSEEvent] = []
    last_id = None
    for payload in payloads:
        for _ in range(draw(st.integers(0, 2))):
            lines += [draw(st.sampled_from([": keep-alive", ":", ": ping é"]))]
            if draw(st.booleans()):
                lines.append("")
        kind = draw(st.sampled_from([None, "completion"]))
        if kind:
            lines.append(f"event: {kind}")
        if draw(st.booleans()):
            last_id = str(draw(st.integers(0, 99)))
            lines.append(f"id:{last_id}")
        sep = draw(st.sampled_from([":", ": "]))
        lines += [f"data{sep}{payload}", ""]
        expected.append(SSEEvent(kind or "message", payload, last_id))
    ends = [draw(st.sampled_from(_ENDS)) for _ in lines]
    for i in range(1, len(lines)):
        if ends[i - 1] == "\r" and lines[i] == "" and ends[i] == "\n":
            ends[i] = "\r\n"
    bom = "\ufeff" if draw(st.booleans()) else ""
    blob = (bom + "".join(line + end for line, end in zip(lines, ends))).encode()
    return blob, expected, "".join(texts)


@settings(deadline=None, max_examples=300)
@given(openai_streams(), st.data())
def test_any_split_yields_the_same_events(stream, data):
    blob, expected, text = stream
    cuts = sorted(data.draw(st.lists(st.integers(0, len(blob)), max_size=12)))
    pieces = [blob[a:b] for a, b in zip([0, *cuts], [*cuts, len(blob)])]
    whole = parse(blob)
    assert whole == expected
    assert parse(*pieces) == whole
    chunks = [parse_chunk(e.data) for e in whole]
    assert "".join(c.text for c in chunks) == text
    assert chunks[-1].done and chunks[-2].usage == Usage(3, 9)
    assert not any(c.malformed or c.error for c in chunks)


_ATOMS = [b"\r", b"\n", b"\r\n", b":", b" ", b"data", b"id", b"event", b"\x00", b"\xe2\x82",
          b"\xac", b"\xff", b"\xef\xbb\xbf", b"x" * 20]


@settings(deadline=None, max_examples=300)
@given(
    st.lists(st.one_of(st.binary(max_size=64), st.lists(st.sampled_from(_ATOMS)).map(b"".join)),
             max_size=16),
    st.sampled_from([8, 64, 1 << 20]),
)
def test_garbage_never_raises(pieces, max_chars):
    events = parse(*pieces, parser=SSEParser(max_chars=max_chars))
    assert all(isinstance(e, SSEEvent) and isinstance(e.data, str) for e in events)
    for event in events:
        assert isinstance(parse_chunk(event.data), StreamChunk)


@settings(deadline=None)
@given(st.text())
def test_parse_chunk_never_raises(data):
    assert isinstance(parse_chunk(data), StreamChunk)


# --- parse_chunk -------------------------------------------------------------------------------


def chunk(**obj) -> str:
    return json.dumps(obj)


def test_completion_text_and_several_choices():
    assert parse_chunk(chunk(choices=[{"text": "hi"}, {"text": " there"}])).text == "hi there"


def test_role_only_or_empty_content_carries_no_text():
    assert parse_chunk(chunk(choices=[{"delta": {"role": "assistant"}}])).text == ""
    assert parse_chunk(chunk(choices=[{"delta": {"role": "assistant", "content": ""}}])).text == ""
    assert parse_chunk(chunk(choices=[{"delta": {"content": None}}])).text == ""


def test_reasoning_fields_carry_text():
    assert parse_chunk(chunk(choices=[{"delta": {"reasoning_content": "hm"}}])).text == "hm"
    assert parse_chunk(chunk(choices=[{"delta": {"reasoning": "hm"}}])).text == "hm"
    both = chunk(choices=[{"delta": {"reasoning": "hm", "reasoning_content": "hm"}}])
    assert parse_chunk(both).text == "hm"
    assert parse_chunk(chunk(choices=[{"delta": {"content": "ok"}}])).text == "ok"


def test_usage():
    got = parse_chunk(chunk(choices=[], usage={"prompt_tokens": 5, "completion_tokens": 7}))
    assert got.usage == Usage(5, 7) and got.text == ""
    assert parse_chunk(chunk(choices=[{"text": "a"}], usage=None)).usage is None
    assert parse_chunk(chunk(usage={"prompt_tokens": 5})).usage == Usage(5, None)


def test_finish_reason():
    got = parse_chunk(chunk(choices=[{"text": "", "finish_reason": "length"}]))
    assert got.finish_reason == "length"


def test_done():
    assert parse_chunk("[DONE]") == StreamChunk(done=True)
    assert parse_chunk(" [DONE] ").done


def test_error_objects():
    assert parse_chunk(chunk(error={"message": "boom", "code": 500})).error == "boom"
    assert parse_chunk(chunk(error="overloaded")).error == "overloaded"
    assert parse_chunk(chunk(object="error", message="bad", code=400)).error == "bad"
    assert parse_chunk(chunk(choices=[{"text": "a"}], error=None)).error is None


def test_malformed():
    assert parse_chunk("{not json").malformed
    assert parse_chunk("42").malformed
    assert parse_chunk("").malformed
    assert not parse_chunk(chunk(choices=[])).malformed
