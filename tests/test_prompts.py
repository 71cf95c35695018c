"""Prompts of exact input length: from a local tokenizer.json, or calibrated against a server."""
import asyncio

import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from kperf_gui.run.prompts import WORDS, Calibration, PromptGenerator, TokenizerCounter, calibrate


@pytest.fixture(scope="module")
def bpe_tokenizer(tmp_path_factory):
    """A small BPE tokenizer trained here, so words split into several tokens as real ones do."""
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["[UNK]"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([" ".join(WORDS)] * 20, trainer)
    path = tmp_path_factory.mktemp("tok") / "tokenizer.json"
    tok.save(str(path))
    return str(path)


@pytest.mark.parametrize("tokens", [12, 128, 1000, 4096])
def test_tokenizer_gives_exact_counts(bpe_tokenizer, tokens):
    counter = TokenizerCounter(bpe_tokenizer)
    gen = PromptGenerator(seed=3, counter=counter)
    exact = 0
    for seq in range(10):
        text, n = gen.prompt(seq, tokens)
        assert n == counter.count(text)
        exact += n == tokens
        assert abs(n - tokens) <= 2
    assert exact == 10


def test_shorter_than_the_unique_prefix_gives_the_prefix(bpe_tokenizer):
    counter = TokenizerCounter(bpe_tokenizer)
    text, n = PromptGenerator(counter=counter).prompt(0, 1)
    assert n == counter.count(text) and n > 1 and ":" in text


def test_prompts_unique_and_reproducible():
    a, b = PromptGenerator(seed=1), PromptGenerator(seed=1)
    texts = [a.prompt(i, 64)[0] for i in range(50)]
    assert texts == [b.prompt(i, 64)[0] for i in range(50)]
    assert len({t.split(":")[0] for t in texts}) == 50  # unique prefixes
    assert len(set(texts)) == 50
    assert PromptGenerator(seed=2).prompt(0, 64)[0] != texts[0]


def test_calibration_against_a_server_that_adds_a_template():
    async def count(text):  # a chat template adding 11 tokens, 1.3 tokens per word
        return round(11 + 1.3 * len(text.split()))

    cal = asyncio.run(calibrate(count))
    assert cal.source == "server"
    assert cal.per_word == pytest.approx(1.3, abs=0.01) and cal.offset == pytest.approx(11, abs=1)
    words = cal.words_for(1000)
    assert abs(round(11 + 1.3 * words) - 1000) <= 1


def test_calibration_falls_back_when_the_server_does_not_count():
    async def count(text):
        return None

    cal = asyncio.run(calibrate(count))
    assert cal.per_word == 1.0 and "did not report" in cal.source
    assert PromptGenerator(calibration=Calibration()).prompt(0, 50)[1] is None


@pytest.mark.parametrize("tokens", [12, 128, 1000])
def test_server_counted_prompts_are_exact_and_cheap(bpe_tokenizer, tokens):
    """Without a local tokenizer, prompts are counted by the server's /tokenize ahead of the
    point; the search asks it a few times per prompt, and prompt() gives what it counted."""
    local = TokenizerCounter(bpe_tokenizer)
    calls = 0

    async def server_count(text):
        nonlocal calls
        calls += 1
        return local.count(text)

    cal = asyncio.run(calibrate(server_count))
    gen = PromptGenerator(seed=3, calibration=cal)
    assert asyncio.run(gen.prepare(range(10), tokens, server_count)) == 10
    calls = 0  # once a one-token word was found, each prompt costs a few counts
    assert asyncio.run(gen.prepare(range(10, 20), tokens, server_count)) == 10
    for seq in range(20):
        text, n = gen.prompt(seq, tokens)
        assert n == tokens == local.count(text)
        assert text == PromptGenerator(seed=3, counter=local, calibration=cal).prompt(seq, tokens)[0]
    assert calls / 10 <= 5  # a bisection alone would ask log2(tokens) + 1 times


def test_a_server_that_stops_counting_is_said():
    from kperf_gui.run.prompts import ServerCountFailed

    async def count(text):
        return None

    with pytest.raises(ServerCountFailed, match="no token count for prompt 4"):
        asyncio.run(PromptGenerator().prepare([4], 64, count))


def test_unprepared_prompts_stay_calibrated():
    async def count(text):
        return len(text.split())

    gen = PromptGenerator(seed=1)
    asyncio.run(gen.prepare([0, 1], 32, count))
    assert gen.prompt(0, 32)[1] == 32 and gen.prompt(2, 32)[1] is None
