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
