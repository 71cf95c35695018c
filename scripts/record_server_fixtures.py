"""Record a real OpenAI-compatible server's answers as test fixtures, and check against it that
prompts made through its /tokenize are exact and that its own counters agree with ours.

    .venv/bin/python scripts/record_server_fixtures.py http://127.0.0.1:18080/v1 MODEL OUTDIR

Used with llama.cpp's llama-server (shared/tools/llamacpp_server.sh, started with --metrics);
CI uses what it wrote (tests/data/servers/), never the server. Prints what it measured.
"""
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx

from drivers.targets.base import RequestSpec
from drivers.targets.openai import OpenAITarget
from drivers.targets.server_state import metrics_text, root_of
from kperf_gui.clock import Clock
from kperf_gui.measure.server_counters import compare, server_tokens
from kperf_gui.run.prompts import PromptGenerator, calibrate

INPUT_TOKENS = 128
OUTPUT_TOKENS = 16
REQUESTS = 8


async def main(base_url: str, model: str, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    clock = Clock()
    target = OpenAITarget(clock.now, base_url, model)
    root = root_of(base_url)
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        for name, body in (("tokenize_prompt_form", {"model": model, "prompt": "hello world"}),
                           ("tokenize_content_form", {"content": "hello world",
                                                      "add_special": True})):
            r = await client.post(f"{root}/tokenize", json=body)
            (out / f"{name}.json").write_text(json.dumps(
                {"status": r.status_code, "body": r.json()}, indent=2) + "\n")
        body = {"model": model, "prompt": "hello world the of and", "max_tokens": 4,
                "stream": True, "stream_options": {"include_usage": True}, "min_tokens": 4,
                "ignore_eos": True, "temperature": 0}
        async with client.stream("POST", f"{base_url}/completions", json=body) as r:
            raw = b"".join([chunk async for chunk in r.aiter_raw()])
        (out / "completion_stream.txt").write_bytes(raw)

    before = await target.server_state()
    (out / "state_before.json").write_text(json.dumps(before, indent=2, sort_keys=True) + "\n")
    calibration = await calibrate(target.tokenize)
    gen = PromptGenerator(seed=11, calibration=calibration)
    calls = 0

    async def count(text: str) -> int | None:
        nonlocal calls
        calls += 1
        return await target.tokenize(text)

    exact = await gen.prepare(range(REQUESTS), INPUT_TOKENS, count)
    mid = await target.server_state(identity=False)
    await target.open(REQUESTS)
    results = []
    try:
        for seq in range(REQUESTS):
            text, counted = gen.prompt(seq, INPUT_TOKENS)
            results.append((counted, await target.send(RequestSpec(seq, text, INPUT_TOKENS,
                                                                    OUTPUT_TOKENS, model))))
    finally:
        await target.close()
    after = await target.server_state(identity=False)
    (out / "metrics_before.txt").write_text(metrics_text(mid) or "")
    (out / "metrics_after.txt").write_text(metrics_text(after) or "")
    usage = [r.prompt_tokens for _, r in results]
    timings = [r.extra.get("server_timings") for _, r in results]
    (out / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    ours_prompt = float(sum(u or 0 for u in usage))
    ours_out = float(sum(r.completion_tokens or 0 for _, r in results))
    agreement = compare(server_tokens(metrics_text(mid) or "", metrics_text(after) or "", model),
                        ours_prompt, ours_out)
    print(f"calibration: {calibration.per_word:.4f} tokens/word + {calibration.offset:.2f} "
          f"({calibration.source})")
    print(f"exact prompts via /tokenize: {exact} of {REQUESTS} counted {INPUT_TOKENS}; "
          f"{calls} /tokenize calls ({calls / REQUESTS:.1f} per prompt)")
    print(f"usage.prompt_tokens of the requests: {usage}")
    print(f"timings prompt_n: {[t.get('prompt_n') if t else None for t in timings]}, "
          f"cache_n: {[t.get('cache_n') if t else None for t in timings]}")
    print(agreement.text())
    ok = exact == REQUESTS and all(u == INPUT_TOKENS for u in usage) and agreement.agrees
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))))
