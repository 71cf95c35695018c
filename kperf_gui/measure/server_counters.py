"""The server's own token counts over an interval, from two Prometheus ``/metrics`` scrapes, and
their agreement with ours.

Each serving stack names its counters in its own family:

- vLLM: ``vllm:prompt_tokens_total``, ``vllm:generation_tokens_total`` (counters, labels
  ``model_name`` and, in V1, ``engine``);
- SGLang: ``sglang:prompt_tokens_total``, ``sglang:generation_tokens_total`` (label
  ``model_name``), with ``--enable-metrics``;
- furiosa-llm: ``furiosa_llm:prompt_tokens_total``, ``furiosa_llm:generation_tokens_total``
  (label ``model_name``; furiosa-llm counts a request's tokens when the request is released);
- TGI: no token counters; the sums of its per-request histograms
  ``tgi_request_input_length_sum`` and ``tgi_request_generated_tokens_sum`` are cumulative;
- llama.cpp (``--metrics``): ``llamacpp:prompt_tokens_total`` counts the prompt tokens it
  evaluated and ``llamacpp:prompt_tokens_cached_total`` those it reused from its cache (a shared
  first token, say); their sum is every prompt token. Generated: ``llamacpp:tokens_predicted_total``.

Scrapes are parsed with prometheus_client's text parser; names of no known family are kept as
they are in the raw scrape. A counter that went down between the scrapes means the server
restarted, and the interval's count is unknown.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

TOLERANCE_PCT = 1.0
"""A point whose server count differs from ours by more than this is flagged."""

FAMILIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "vllm": (("vllm:prompt_tokens_total",), ("vllm:generation_tokens_total",)),
    "sglang": (("sglang:prompt_tokens_total",), ("sglang:generation_tokens_total",)),
    "furiosa_llm": (("furiosa_llm:prompt_tokens_total",),
                    ("furiosa_llm:generation_tokens_total",)),
    "tgi": (("tgi_request_input_length_sum",), ("tgi_request_generated_tokens_sum",)),
    "llamacpp": (("llamacpp:prompt_tokens_total", "llamacpp:prompt_tokens_cached_total"),
                 ("llamacpp:tokens_predicted_total",)),
}
"""Per family: the sample names summed for prompt tokens, and for generated tokens; the first
of each must be there, the others are added where the server has them."""

MODEL_LABELS = ("model_name", "model")

Samples = dict[str, list[tuple[dict[str, str], float]]]


class ScrapeError(ValueError):
    """A scrape is not Prometheus text exposition format."""


def parse_scrape(text: str) -> Samples:
    """Every sample of a scrape by sample name: (labels, value) pairs."""
    out: Samples = {}
    try:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                out.setdefault(s.name, []).append((dict(s.labels), float(s.value)))
    except (ValueError, TypeError, IndexError) as exc:
        raise ScrapeError(f"not Prometheus text format ({exc})") from None
    return out


def family_of(samples: Samples) -> str | None:
    """The first known family whose token counters the scrape holds."""
    for name, (prompt, generation) in FAMILIES.items():
        if prompt[0] in samples or generation[0] in samples:
            return name
    return None


def _total(samples: Samples, name: str, model: str | None) -> float | None:
    rows = samples.get(name)
    if rows is None:
        return None
    if model:
        labelled = [(labels, v) for labels, v in rows
                    if any(k in labels for k in MODEL_LABELS)]
        if labelled:
            rows = [(labels, v) for labels, v in labelled
                    if any(labels.get(k) == model for k in MODEL_LABELS)]
    finite = [v for _, v in rows if math.isfinite(v)]
    return float(sum(finite)) if finite else None


@dataclass(frozen=True)
class ServerTokens:
    """The server's own counts over an interval (None where it does not report one)."""

    family: str | None
    prompt: float | None
    generation: float | None
    note: str = ""


def server_tokens(before: str | Samples, after: str | Samples, model: str | None = None
                  ) -> ServerTokens:
    """The server's prompt and generated tokens between two scrapes. ``model`` keeps only the
    samples labelled with that model where the counters carry a model label."""
    try:
        b = parse_scrape(before) if isinstance(before, str) else before
        a = parse_scrape(after) if isinstance(after, str) else after
    except ScrapeError as exc:
        return ServerTokens(None, None, None, f"a scrape could not be read: {exc}")
    family = family_of(a) or family_of(b)
    if family is None:
        return ServerTokens(None, None, None, "no token counters of a known family "
                            f"({', '.join(FAMILIES)}) in the scrape")
    deltas: list[float | None] = []
    notes: list[str] = []
    for names in FAMILIES[family]:
        deltas.append(_delta(b, a, names, model, notes))
    return ServerTokens(family, deltas[0], deltas[1], "; ".join(notes))


def _delta(before: Samples, after: Samples, names: tuple[str, ...], model: str | None,
           notes: list[str]) -> float | None:
    total = 0.0
    for i, name in enumerate(names):
        x, y = _total(before, name, model), _total(after, name, model)
        if x is None or y is None:
            if i == 0:
                notes.append(f"{name} missing from a scrape")
                return None
            continue
        if y < x:
            notes.append(f"{name} went down ({x:g} to {y:g}): the server restarted")
            return None
        total += y - x
    return total


@dataclass(frozen=True)
class Agreement:
    """Our counts beside the server's for one interval."""

    family: str | None
    server_prompt: float | None
    server_generation: float | None
    our_prompt: float | None
    our_generation: float | None
    prompt_diff_pct: float | None
    generation_diff_pct: float | None
    agrees: bool | None  # None: nothing to compare
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        """One line for the Session sheet and the report."""
        def part(label: str, server: float | None, ours: float | None, diff: float | None) -> str:
            if server is None:
                return f"{label}: server -, ours {_num(ours)}"
            d = "" if diff is None else f" ({diff:+.2f} %)"
            return f"{label}: server {_num(server)}, ours {_num(ours)}{d}"

        verdict = {True: "agree within 1 %", False: "DISAGREE by more than 1 %",
                   None: "not compared"}[self.agrees]
        head = f"{self.family or 'unknown'} counters {verdict}"
        body = "; ".join((part("prompt tokens", self.server_prompt, self.our_prompt,
                               self.prompt_diff_pct),
                          part("generated tokens", self.server_generation, self.our_generation,
                               self.generation_diff_pct)))
        tail = "".join(f"; {n}" for n in self.notes)
        return f"{head}: {body}{tail}"


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}" if float(v).is_integer() else f"{v:g}"


def _diff(server: float | None, ours: float | None) -> float | None:
    if server is None or ours is None:
        return None
    if ours == 0:
        return 0.0 if server == 0 else math.inf
    return (server - ours) / ours * 100.0


def compare(server: ServerTokens, our_prompt: float | None, our_generation: float | None,
            tolerance_pct: float = TOLERANCE_PCT, failed_requests: int = 0) -> Agreement:
    """Set our prompt and generated token counts for the same interval beside the server's; the
    interval disagrees when either differs by more than ``tolerance_pct``."""
    pd, gd = _diff(server.prompt, our_prompt), _diff(server.generation, our_generation)
    compared = [d for d in (pd, gd) if d is not None]
    agrees = None if not compared else all(abs(d) <= tolerance_pct for d in compared)
    notes = [server.note] if server.note else []
    if failed_requests:
        notes.append(f"{failed_requests} request(s) failed; the server may have counted tokens "
                     "of theirs that we did not")
    return Agreement(server.family, server.prompt, server.generation, our_prompt, our_generation,
                     pd, gd, agrees, notes)
