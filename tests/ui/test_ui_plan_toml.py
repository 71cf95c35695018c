"""The plan's TOML writer: what it writes, tomllib and the plan parser read back unchanged."""
import datetime as dt
import tomllib

import pytest
from hypothesis import given, settings, strategies as st

from kperf_gui.cli import DEMO_PLAN
from kperf_gui.session.plan import parse
from kperf_gui.session.plan_toml import dump_plan, value

FULL = {
    "session": {"name": "rngd-llama31-8b", "operator": "J. Kim", "witness": "S. Park",
                "notes": "ambient 23.1 C, PSU A and B on elements 1 and 2", "ambient_c": 23.1},
    "target": {"kind": "openai", "base_url": "http://127.0.0.1:8000/v1",
               "model": "meta-llama/Llama-3.1-8B-Instruct", "api": "completions",
               "api_key_env": "KPERF_API_KEY",
               "precisions": {"fp8": {"model": "meta-llama/Llama-3.1-8B-Instruct-FP8"}}},
    "meters": [{"driver": "yokogawa-wt300e", "resource": "TCPIP0::127.0.0.1::10001::SOCKET",
                "element": 1, "rate_hz": 10, "calibration_due": dt.date(2027, 3, 31)},
               {"driver": "nvml", "role": "auxiliary"}],
    "sweep": {"input_tokens": [128, 1024], "output_tokens": [128], "concurrency": [1, 8, 32],
              "precision": ["bf16", "fp8"], "requests_per_point": 64, "warmup_requests": 8,
              "idle_baseline_s": 10},
}


def test_contract_example_round_trips_and_parses():
    text = dump_plan(FULL)
    assert tomllib.loads(text) == FULL
    plan = parse(text)
    assert plan.meters[0].calibration_due == dt.date(2027, 3, 31)
    assert plan.route("fp8").model == "meta-llama/Llama-3.1-8B-Instruct-FP8"
    assert "calibration_due = 2027-03-31\n" in text
    assert "[target.precisions.fp8]\n" in text and "[target.precisions]\n" not in text
    assert text.index("[session]") < text.index("[target]") < text.index("[[meters]]") \
        < text.index("[sweep]")


def test_demo_plan_round_trips():
    d = tomllib.loads(DEMO_PLAN)
    assert tomllib.loads(dump_plan(d)) == d


def test_empty_route_table_is_kept():
    d = {"session": {"name": "x"}, "target": {"kind": "simulated", "precisions": {"fp8": {}}},
         "sweep": {"concurrency": [1], "input_tokens": [1], "output_tokens": [1],
                   "requests_per_point": 1}}
    text = dump_plan(d)
    assert "[target.precisions.fp8]" in text
    assert parse(text).route("fp8") is not None


def test_values():
    assert value(True) == "true"
    assert value(2.0) == "2.0" and value(1e-7) == "1e-07" and value(3) == "3"
    assert value(float("inf")) == "inf"
    assert value('a "b"\n\\') == '"a \\"b\\"\\n\\\\"'
    assert value("\x01") == '"\\u0001"'
    with pytest.raises(TypeError):
        value(object())


text_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
scalars = st.one_of(text_values, st.integers(-10**12, 10**12), st.booleans(),
                    st.floats(allow_nan=False), st.dates())
keys = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(deadline=None, max_examples=150)
@given(st.dictionaries(keys, st.one_of(scalars, st.lists(scalars, max_size=4)), max_size=6),
       st.lists(st.dictionaries(keys, scalars, min_size=1, max_size=3), max_size=3))
def test_any_plan_shaped_dict_round_trips(table, meters):
    d = {"session": table, "sweep": {"concurrency": [1]}}
    if meters:
        d["meters"] = meters
    assert tomllib.loads(dump_plan(d)) == d
