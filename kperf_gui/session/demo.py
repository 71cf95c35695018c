"""The built-in demo's plan: the simulated endpoint and the simulated meter, nothing beyond
loopback (``kperf demo``, and the app's first start)."""

DEMO_PLAN = """\
# The built-in demo: the simulated endpoint and the simulated meter, nothing beyond loopback.
[session]
name = "demo"
operator = "demo"
notes = "K-Perf Lab built-in demo: simulated endpoint and simulated wall-plug meter"

[target]
kind = "simulated"
model = "sim-llm"
api = "completions"

[[meters]]
driver = "simulated"
element = 1
rate_hz = 10

[sweep]
input_tokens = [128, 1024]
output_tokens = [32]
concurrency = [1, 8, 32]
seconds_per_point = 4
idle_baseline_s = 2
seed = 0
"""
