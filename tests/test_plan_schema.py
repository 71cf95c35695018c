"""The plan schema is the one table of keys: README's table is generated from it, CONTRACT.md's
table names the same keys, the writer follows its order and the parser its defaults."""
import re

import pytest

from kperf_gui.session import plan_schema as schema
from kperf_gui.session.plan import parse
from kperf_gui.session.plan_toml import dump_plan
from runhelp import ROOT

CONTRACT = ROOT / "docs" / "CONTRACT.md"
SHARED_CONTRACT = ROOT.parent / "shared" / "CONTRACT.md"


def contract_keys(text):
    """The keys named in the first column of CONTRACT.md's key table."""
    section = text[text.index("### Keys"):]
    section = section[: section.index("\n## ", 1)]
    names = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        previous = None
        for token in re.findall(r"`([^`]+)`", line.split("|")[1]):
            if token == "[[meters]]":
                token = "meters"
            elif token.startswith(".") and previous is not None:
                token = previous.rpartition(".")[0] + token
            names.append(token)
            previous = token
    return names


def test_contract_names_the_schemas_keys():
    named = contract_keys(CONTRACT.read_text(encoding="utf-8"))
    assert len(named) == len(set(named))
    assert set(named) == set(schema.contract_names())


def test_the_contract_copy_is_the_shared_contract_where_there_is_one():
    if not SHARED_CONTRACT.is_file():
        pytest.skip("the project's shared documents are not beside this checkout")
    assert contract_keys(SHARED_CONTRACT.read_text(encoding="utf-8")) == \
        contract_keys(CONTRACT.read_text(encoding="utf-8"))


def test_readme_key_table_is_generated_from_the_schema():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert schema.readme_block_in(text) == schema.readme_block(), (
        "README's plan keys are out of date: run python -m kperf_gui.session.plan_schema README.md")
    for k in schema.KEYS:
        assert f"| `{k.path}` |" in text


def test_every_number_has_finite_bounds():
    for k in schema.KEYS:
        if k.type in ("whole", "number", "wholes"):
            assert k.low is not None and k.high is not None, k.path


def test_defaults_come_from_the_schema():
    plan = parse('[session]\nname = "x"\n[target]\nkind = "simulated"\n[[meters]]\n'
                 'driver = "simulated"\n[sweep]\ninput_tokens = [8]\noutput_tokens = [8]\n'
                 "concurrency = [1]\nrequests_per_point = 1\n")
    m = plan.meters[0]
    assert m.rate_hz == schema.key("meters[].rate_hz").default
    assert m.max_uncertainty_pct == schema.key("meters[].max_uncertainty_pct").default
    assert m.on_loss == schema.key("meters[].on_loss").default
    assert plan.target.timeout_s == schema.key("target.timeout_s").default
    assert plan.sweep.idle_baseline_s == schema.key("sweep.idle_baseline_s").default
    assert plan.sweep.workers is None and plan.recorded_only() == []


def test_workers_and_the_lag_limit_act():
    plan = parse('[session]\nname = "x"\n[target]\nkind = "simulated"\n[[meters]]\n'
                 'driver = "simulated"\nmax_uncertainty_pct = 0.5\n[sweep]\ninput_tokens = [8]\n'
                 "output_tokens = [8]\nconcurrency = [1]\nrequests_per_point = 1\nworkers = 2\n")
    assert plan.recorded_only() == []  # workers and max_uncertainty_pct act
    assert plan.sweep.workers == 2
    assert plan.sweep.max_client_lag_ms == schema.key("sweep.max_client_lag_ms").default
    assert plan.meters[0].max_uncertainty_pct == 0.5 and plan.meters[0].frequency_hz is None


def test_the_writer_follows_the_schemas_order():
    d = {"sweep": {"seed": 1, "concurrency": [1], "requests_per_point": 1, "input_tokens": [1],
                   "output_tokens": [1], "workers": 2},
         "meters": [{"on_loss": "stop", "rate_hz": 5, "driver": "simulated"}],
         "target": {"model": "m", "kind": "simulated"},
         "session": {"notes": "n", "name": "x"}}
    text = dump_plan(d)
    order = [line.split(" = ")[0] for line in text.splitlines() if " = " in line]
    assert order == ["name", "notes", "kind", "model", "driver", "rate_hz", "on_loss",
                     "input_tokens", "output_tokens", "concurrency", "requests_per_point",
                     "seed", "workers"]
    assert parse(text).sweep.workers == 2
