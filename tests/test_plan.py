"""Every plan mistake names its key and what is allowed; a good plan becomes typed objects."""
import datetime as dt

import pytest

from kperf_gui.session.plan import PlanError, parse, points, without_secrets

GOOD = """
[session]
name = "rngd-llama31-8b"
operator = "J. Kim"
ambient_c = 23.1

[target]
kind = "openai"
base_url = "http://127.0.0.1:8000/v1"
model = "m"
api_key_env = "KPERF_API_KEY"

[target.precisions.fp8]
model = "m-fp8"

[[meters]]
driver = "yokogawa-wt300e"
resource = "TCPIP0::127.0.0.1::10001::SOCKET"
element = [1, 2]
calibration_due = 2027-03-31

[sweep]
input_tokens = [128, 1024]
output_tokens = [128]
concurrency = [1, 8, 32]
precision = ["bf16", "fp8"]
requests_per_point = 64
warmup_requests = 8
idle_baseline_s = 10
"""


def test_good_plan_is_typed():
    plan = parse(GOOD)
    assert plan.session.name == "rngd-llama31-8b"
    assert plan.session.ambient_c == 23.1
    assert plan.target.kind == "openai" and plan.target.api == "completions"
    assert plan.target.precisions["fp8"].model == "m-fp8"
    m = plan.meters[0]
    assert m.elements == (1, 2) and m.rate_hz == 10 and m.role == "wall"
    assert m.calibration_due == dt.date(2027, 3, 31)
    assert plan.sweep.concurrency == (1, 8, 32)
    assert plan.sweep.seconds_per_point is None and plan.sweep.requests_per_point == 64
    pts = points(plan)
    assert len(pts) == 2 * 2 * 1 * 3
    assert [p.index for p in pts] == list(range(1, 13))
    assert pts[0].precision == "bf16" and pts[-1].precision == "fp8"


def edit(old, new):
    assert old in GOOD, old
    return GOOD.replace(old, new)


CASES = [
    ("unknown top key", GOOD + "\n[extra]\na = 1\n", "extra"),
    ("unknown session key", edit('operator = "J. Kim"', 'operater = "J. Kim"'), "session.operater"),
    ("missing name", edit('name = "rngd-llama31-8b"\n', ""), "session.name"),
    ("bad name chars", edit('"rngd-llama31-8b"', '"my run/1"'), "session.name"),
    ("name too long", edit('"rngd-llama31-8b"', '"' + "a" * 65 + '"'), "session.name"),
    ("wrong type", edit("ambient_c = 23.1", 'ambient_c = "warm"'), "session.ambient_c"),
    ("bad kind", edit('kind = "openai"', 'kind = "tgi"'), "target.kind"),
    ("missing base_url", edit('base_url = "http://127.0.0.1:8000/v1"\n', ""), "target.base_url"),
    ("bad api", edit('api_key_env = "KPERF_API_KEY"', 'api = "responses"'), "target.api"),
    ("key instead of name", edit('"KPERF_API_KEY"', '"sk-123 456"'), "target.api_key_env"),
    ("missing tokenizer", edit('api_key_env = "KPERF_API_KEY"', 'tokenizer = "/no/such/tokenizer.json"'),
     "target.tokenizer"),
    ("unknown driver", edit('"yokogawa-wt300e"', '"acme-1"'), "meters[0].driver"),
    ("missing resource", edit('resource = "TCPIP0::127.0.0.1::10001::SOCKET"\n', ""), "meters[0].resource"),
    ("element 0", edit("element = [1, 2]", "element = 0"), "meters[0].element"),
    ("bad date", edit("calibration_due = 2027-03-31", 'calibration_due = "soon"'), "meters[0].calibration_due"),
    ("bad role", edit("element = [1, 2]", 'role = "main"'), "meters[0].role"),
    ("concurrency 0", edit("concurrency = [1, 8, 32]", "concurrency = [0, 8]"), "sweep.concurrency"),
    ("empty list", edit("input_tokens = [128, 1024]", "input_tokens = []"), "sweep.input_tokens"),
    ("missing concurrency", edit("concurrency = [1, 8, 32]\n", ""), "sweep.concurrency"),
    ("float in list", edit("output_tokens = [128]", "output_tokens = [12.5]"), "sweep.output_tokens"),
    ("both per point", edit("requests_per_point = 64", "requests_per_point = 64\nseconds_per_point = 30"),
     "sweep.requests_per_point"),
    ("neither per point", edit("requests_per_point = 64\n", ""), "sweep.requests_per_point"),
    ("empty precision", edit('precision = ["bf16", "fp8"]', "precision = []"), "sweep.precision"),
    ("negative warmup", edit("warmup_requests = 8", "warmup_requests = -1"), "sweep.warmup_requests"),
    ("bool as number", edit("idle_baseline_s = 10", "idle_baseline_s = true"), "sweep.idle_baseline_s"),
    ("not toml", "[session\nname=", "plan"),
    ("missing sweep", GOOD[: GOOD.index("[sweep]")], "sweep"),
]


@pytest.mark.parametrize("label,text,key", CASES, ids=[c[0] for c in CASES])
def test_mistakes_name_the_key(label, text, key):
    with pytest.raises(PlanError) as e:
        parse(text, known_drivers=["yokogawa-wt300e", "simulated"])
    assert e.value.key == key
    line = str(e.value)
    assert "\n" not in line and line.startswith(key)


def test_tokenizer_found_relative_to_plan(tmp_path):
    (tmp_path / "tok.json").write_text("{}")
    plan = parse(edit('api_key_env = "KPERF_API_KEY"', 'tokenizer = "tok.json"'), tmp_path)
    assert plan.target.tokenizer == str(tmp_path / "tok.json")


def test_software_channel_defaults_to_auxiliary():
    text = GOOD + '\n[[meters]]\ndriver = "nvml"\n'
    plan = parse(text.replace("[sweep]", "[sweep]"), known_drivers=None)
    assert plan.meters[1].role == "auxiliary" and plan.meters[1].resource == ""


def test_secret_lines_removed():
    assert "sk-" not in without_secrets('api_key = "sk-1"\nmodel = "x"\n')
    assert 'api_key_env = "K"' in without_secrets('api_key_env = "K"\n')
