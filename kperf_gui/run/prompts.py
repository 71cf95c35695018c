"""Prompts with exact input token counts.

Each prompt starts with a unique prefix made from the seed and the request's sequence number and
is filled with seeded words, so a server's prefix cache cannot answer the prefill for free and a
run is reproducible from its seed. Lengths come from a local ``tokenizer.json`` (exact), or,
without one, from a linear calibration against the server's own token counts.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Awaitable, Callable

import numpy as np

WORDS: tuple[str, ...] = tuple((
    "the of and to in is was for on are with as by at from that this which be or an have it not "
    "were has but their more all about time its one would there been other into most after years "
    "new system data power energy chip model token server memory user first measure test value "
    "second number water light table river mountain garden window letter market village music "
    "paper science theory history city morning evening winter summer country family student "
    "teacher doctor engine signal circuit voltage current board clock cloud storage network "
    "answer question moment reason result method process report study level area point example"
).split())


class Counter:
    """Counts tokens of a text."""

    def count(self, text: str) -> int:
        raise NotImplementedError


class TokenizerCounter(Counter):
    """Exact counts from a local ``tokenizer.json``, special tokens included (a beginning-of-
    sequence token is processed by the model and counted in the server's ``prompt_tokens``)."""

    def __init__(self, path: str):
        from tokenizers import Tokenizer

        self.path = path
        self.tok = Tokenizer.from_file(path)

    def count(self, text: str) -> int:
        return len(self.tok.encode(text, add_special_tokens=True).ids)


@dataclass(frozen=True)
class Calibration:
    """tokens ~= offset + per_word * words, fitted against the server."""

    offset: float = 0.0
    per_word: float = 1.0
    source: str = "assumed"

    def words_for(self, tokens: int) -> int:
        return max(1, int(round((tokens - self.offset) / self.per_word)))


async def calibrate(count: Callable[[str], Awaitable[int | None]]) -> Calibration:
    """Fit the word/token ratio from two prompt lengths counted by the server (``/tokenize`` or a
    one-token request's ``usage.prompt_tokens``). Falls back to one token per word."""
    gen = PromptGenerator(seed=987654321)
    short, long_ = gen.words_text(0, 64), gen.words_text(1, 512)
    a, b = await count(short), await count(long_)
    if a is None or b is None or b <= a:
        return Calibration(source="assumed (the server did not report prompt tokens)")
    wa, wb = len(short.split()), len(long_.split())
    per_word = (b - a) / (wb - wa)
    return Calibration(offset=a - per_word * wa, per_word=per_word, source="server")


class PromptGenerator:
    """Seeded prompts of a given length."""

    def __init__(self, seed: int = 0, counter: Counter | None = None,
                 calibration: Calibration | None = None):
        self.seed = seed
        self.counter = counter
        self.calibration = calibration or Calibration()

    def _prefix(self, seq: int) -> str:
        tag = hashlib.sha256(f"{self.seed}:{seq}".encode()).hexdigest()[:10]
        return f"{tag}:"

    def words_text(self, seq: int, n_words: int) -> str:
        """The prefix followed by seeded filler words, ``n_words`` words in all."""
        rng = np.random.default_rng([self.seed, seq])
        prefix = self._prefix(seq).split()
        fill = rng.integers(0, len(WORDS), size=max(0, n_words - len(prefix)))
        return " ".join(prefix[:n_words] + [WORDS[i] for i in fill])

    def prompt(self, seq: int, tokens: int) -> tuple[str, int | None]:
        """A prompt of ``tokens`` tokens for request ``seq``; returns (text, counted tokens or
        None when only calibrated)."""
        if self.counter is None:
            return self.words_text(seq, self.calibration.words_for(tokens)), None
        return self._exact(seq, tokens)

    def _exact(self, seq: int, tokens: int) -> tuple[str, int]:
        """The longest run of whole words not over ``tokens``, topped up with a word that adds
        exactly one token until the count is met (a word can be several tokens)."""
        assert self.counter is not None
        count = self.counter.count
        lo, hi = 1, max(1, tokens)  # every word is at least one token
        while lo < hi:  # the largest word count whose text is not over ``tokens``
            mid = (lo + hi + 1) // 2
            if count(self.words_text(seq, mid)) <= tokens:
                lo = mid
            else:
                hi = mid - 1
        text = self.words_text(seq, lo)
        n = count(text)
        if n >= tokens:
            return text, n
        unit = next((w for w in WORDS + tuple("abcdefghijklmnopqrstuvwxyz")
                     if count(f"{text} {w}") == n + 1), None)
        while unit is not None and n < tokens:
            text = f"{text} {unit}"
            n = count(text)
        return text, n
