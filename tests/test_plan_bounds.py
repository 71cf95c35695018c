"""Plan values that would exhaust the machine or never end are refused before anything is
measured: any number, finite or not, any length of list, any string, at any key, is either a plan
whose every number lies inside the schema's finite bounds, or one line naming the key (exit 2)."""
import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from drivers.meters import registry
from kperf_gui.session import plan_schema as schema
from kperf_gui.session.plan import PlanError, parse, point_count
from kperf_gui.session.plan_toml import dump_plan
from runhelp import kperf, tiny_plan


def base():
    return {
        "session": {"name": "bounds"},
        "target": {"kind": "simulated"},
        "meters": [{"driver": "simulated"}],
        "sweep": {"input_tokens": [8], "output_tokens": [8], "concurrency": [1],
                  "requests_per_point": 1},
    }


SETTABLE = [k for k in schema.KEYS if k.path != "meters" and "<label>" not in k.path]

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([0, 1, -1, 2**31, 2**63, 1_048_577, 100_001, 86_400.5, 1e300, -0.0]),
)
scalars = st.one_of(numbers, st.text(max_size=80), st.booleans(), st.dates())
values = st.one_of(scalars, st.lists(st.one_of(numbers, st.text(max_size=8)), max_size=1_200),
                   st.lists(st.integers(min_value=1, max_value=3_000), min_size=1_000,
                            max_size=1_100, unique=True))


def put(d, path, value):
    section, _, name = path.partition(".")
    if section == "meters[]":
        d["meters"][0][name] = value
    else:
        d[section][name] = value


def in_bounds(k, v):
    if v is None:
        return True
    if k.type in ("whole", "number"):
        return math.isfinite(v) and k.check_number(v) is None
    if k.type == "wholes":
        return 0 < len(v) <= k.most and all(k.check_number(x) is None for x in v)
    return True


def attr(plan, path):
    section, _, name = path.partition(".")
    name = {"element": "elements"}.get(name, name)
    obj = {"session": plan.session, "target": plan.target, "sweep": plan.sweep,
           "meters[]": plan.meters[0] if plan.meters else None}[section]
    return getattr(obj, name, None)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(SETTABLE), v=values)
def test_any_value_at_any_key_is_refused_in_one_line_or_bounded(key, v):
    d = base()
    put(d, key.path, v)
    try:
        plan = parse(dump_plan(d), known_drivers=registry.names())
    except PlanError as exc:
        line = str(exc)
        assert "\n" not in line and line.startswith(exc.key), line
        assert exc.key.split(".")[0].split("[")[0] in ("plan", *schema.SECTIONS), line
        return
    assert point_count(plan.sweep) <= schema.MAX_POINTS
    for k in schema.KEYS:
        if k.path != "meters" and "<label>" not in k.path:
            assert in_bounds(k, attr(plan, k.path)), (k.path, attr(plan, k.path))


def test_a_sweep_of_too_many_points_is_refused():
    d = base()
    d["sweep"].update(input_tokens=list(range(1, 101)), output_tokens=list(range(1, 11)),
                      concurrency=list(range(1, 12)))
    with pytest.raises(PlanError) as e:
        parse(dump_plan(d))
    assert e.value.key == "sweep" and "11,000 points" in str(e.value)


def test_a_date_is_still_a_date():
    d = base()
    put(d, "meters[].calibration_due", dt.date(2031, 1, 2))
    assert parse(dump_plan(d)).meters[0].calibration_due == dt.date(2031, 1, 2)


ISSUE_CASES = [
    ("input_tokens", "[1000000000]", "sweep.input_tokens"),
    ("concurrency", "[100000000]", "sweep.concurrency"),
    ("seconds_per_point", "inf", "sweep.seconds_per_point"),
    ("idle_baseline_s", "1e300", "sweep.idle_baseline_s"),
    ("idle_baseline_s", "nan", "sweep.idle_baseline_s"),
]


@pytest.mark.parametrize("name,text,key", ISSUE_CASES, ids=[f"{c[0]}={c[1]}" for c in ISSUE_CASES])
def test_the_reported_plans_exit_2_in_one_line_before_measuring(tmp_path, name, text, key):
    plan = tiny_plan(tmp_path, **{name: text})
    r = kperf("run", plan, "--out", tmp_path / "o", timeout=60)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.strip().count("\n") == 0 and key in r.stderr, r.stderr
    assert not (tmp_path / "o").exists()


def test_too_many_requests_per_point_exits_2(tmp_path):
    plan = tiny_plan(tmp_path)
    plan.write_text(plan.read_text().replace("seconds_per_point = 1",
                                             "requests_per_point = 99999999999999999999999"))
    r = kperf("run", plan, "--out", tmp_path / "o", timeout=60)
    assert r.returncode == 2 and "sweep.requests_per_point" in r.stderr, r.stderr
    assert r.stderr.strip().count("\n") == 0


def test_a_huge_plan_file_is_refused_unread(tmp_path):
    plan = tiny_plan(tmp_path)
    with open(plan, "a") as f:
        f.write("# " + "x" * schema.MAX_PLAN_BYTES + "\n")
    r = kperf("run", plan, "--out", tmp_path / "o", timeout=60)
    assert r.returncode == 2 and "at most" in r.stderr, r.stderr


def test_a_plan_at_the_bounds_allocates_nothing_in_proportion_before_measuring(tmp_path):
    import tracemalloc

    from kperf_gui.run.sweep import Hooks, SweepRun

    d = base()
    d["sweep"].update(input_tokens=[schema.key("sweep.input_tokens").high],
                      output_tokens=[schema.key("sweep.output_tokens").high],
                      concurrency=list(range(100_000 - 999, 100_001)),
                      precision=[f"p{i}" for i in range(10)],
                      requests_per_point=schema.key("sweep.requests_per_point").high,
                      warmup_requests=schema.key("sweep.warmup_requests").high)
    text = dump_plan(d)
    tracemalloc.start()
    try:
        plan = parse(text)
        run = SweepRun(plan, tmp_path / "o", Hooks())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(run.points) == schema.MAX_POINTS
    assert peak < 16 * 2**20, peak  # a few MB for 10,000 points; nothing per token or user
    assert not (tmp_path / "o").exists()
