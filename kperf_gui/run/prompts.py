"""Prompts with exact input token counts.

Each prompt starts with a unique prefix made from the seed and the request's sequence number and
is filled with seeded words, so a server's prefix cache cannot answer the prefill for free and a
run is reproducible from its seed. Lengths come from a local ``tokenizer.json`` (exact); without
one, from the server's own ``/tokenize`` (exact: :meth:`PromptGenerator.prepare` counts each
prompt before its point is measured); and only where the server counts nothing, from a linear
calibration against the server's reported prompt tokens.

One search serves both counters: :meth:`PromptGenerator._search` yields texts to count and is
driven by a local counter (at once) or by the server's (awaited), so both give the same prompt.
"""
from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Generator, Iterable
from dataclasses import dataclass

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


class ServerCountFailed(Exception):
    """The server stopped counting a prompt's tokens part way; the message says which."""


Search = Generator[str, int, tuple[str, int]]
"""A prompt search: yields texts to count, is sent their counts, returns (text, tokens)."""


class PromptGenerator:
    """Seeded prompts of a given length."""

    def __init__(self, seed: int = 0, counter: Counter | None = None,
                 calibration: Calibration | None = None):
        self.seed = seed
        self.counter = counter
        self.calibration = calibration or Calibration()
        self.prepared: dict[tuple[int, int], tuple[str, int]] = {}
        """Prompts counted by the server ahead of use, by (seq, tokens)."""
        self._unit: str | None = None

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
        None when only calibrated). A prompt the server counted ahead (:meth:`prepare`) is
        used as it was counted."""
        if (seq, tokens) in self.prepared:
            return self.prepared[(seq, tokens)]
        if self.counter is None:
            return self.words_text(seq, self.calibration.words_for(tokens)), None
        return self._exact(seq, tokens)

    def _exact(self, seq: int, tokens: int) -> tuple[str, int]:
        """The exact prompt, counted by the local tokenizer."""
        assert self.counter is not None
        search = self._search(seq, tokens)
        text = next(search)
        try:
            while True:
                text = search.send(self.counter.count(text))
        except StopIteration as done:
            return done.value

    async def exact_async(self, seq: int, tokens: int,
                          count: Callable[[str], Awaitable[int | None]]) -> tuple[str, int]:
        """The exact prompt, counted by ``count`` (the server's ``/tokenize``); raises
        :class:`ServerCountFailed` when it gives no count."""
        search = self._search(seq, tokens)
        text = next(search)
        try:
            while True:
                n = await count(text)
                if n is None:
                    raise ServerCountFailed(f"the server gave no token count for prompt {seq}")
                text = search.send(n)
        except StopIteration as done:
            return done.value

    async def prepare(self, seqs: Iterable[int], tokens: int,
                      count: Callable[[str], Awaitable[int | None]]) -> int:
        """Count the prompts of requests ``seqs`` with the server before they are sent, so
        :meth:`prompt` gives them exact without asking the server while measuring. Returns how
        many are exactly ``tokens`` long."""
        exact = 0
        for seq in seqs:
            if (seq, tokens) not in self.prepared:
                self.prepared[(seq, tokens)] = await self.exact_async(seq, tokens, count)
            exact += self.prepared[(seq, tokens)][1] == tokens
        return exact

    def _search(self, seq: int, tokens: int) -> Search:
        """The longest run of whole words not over ``tokens``, topped up with a word that adds
        exactly one token until the count is met (a word can be several tokens). The first
        guess comes from the calibration and the next from the tokens still missing, so a
        server is asked a few times per prompt rather than a bisection's worth."""
        tokens = max(1, tokens)
        counts: dict[int, int] = {}
        ok_w, bad_w = 0, tokens + 1  # every word is at least one token
        per_word = self.calibration.per_word if self.calibration.per_word > 0 else 1.0
        w = min(max(1, self.calibration.words_for(tokens)), tokens)
        while bad_w - ok_w > 1:
            n = counts[w] = yield self.words_text(seq, w)
            if n == tokens:
                return self.words_text(seq, w), n
            if n < tokens:
                ok_w = w
            else:
                bad_w = w
            step = round((tokens - n) / per_word) or (1 if n < tokens else -1)
            w = w + step if ok_w < w + step < bad_w else (ok_w + bad_w) // 2
        if ok_w == 0:  # even the prefix alone is longer
            return self.words_text(seq, 1), counts[1]
        text, n = self.words_text(seq, ok_w), counts[ok_w]
        units = [self._unit] if self._unit else []
        units += [w for w in WORDS + tuple("abcdefghijklmnopqrstuvwxyz") if w != self._unit]
        for unit in units:
            if (yield f"{text} {unit}") == n + 1:
                self._unit = unit  # a word that adds one token here likely does elsewhere
                text, n = f"{text} {unit}", n + 1
                break
        else:
            return text, n
        if n < tokens:  # all the missing units at once, then one by one if they merged
            whole = text + f" {unit}" * (tokens - n)
            if (yield whole) == tokens:
                return whole, tokens
        while n < tokens:
            text = f"{text} {unit}"
            n = yield text
        return text, n
        while n < tokens:
            text = f"{text} {unit}"
            n = yield text
        return text, n
