"""A server that lists its models to anyone but refuses completions: ``kperf run`` stops before
any point with exit 2 and one line, instead of running the whole sweep into HTTP 401."""
from fake_openai import FakeOpenAI, json_reply, models_reply
from runhelp import kperf


def plan(tmp_path, base_url, api="completions"):
    p = tmp_path / "plan.toml"
    p.write_text(f'[session]\nname = "k401"\n[target]\nkind = "openai"\nbase_url = "{base_url}"\n'
                 f'model = "m1"\napi = "{api}"\napi_key_env = "KPERF_TEST_KEY"\n'
                 '[sweep]\nconcurrency = [1, 2]\ninput_tokens = [8]\noutput_tokens = [8]\n'
                 'requests_per_point = 2\nidle_baseline_s = 0\n')
    return p


def test_a_refused_key_is_exit_2_before_any_point(tmp_path, monkeypatch):
    monkeypatch.setenv("KPERF_TEST_KEY", "sk-wrong")
    with FakeOpenAI() as server:
        server.script("GET", "/v1/models", models_reply("m1"))
        server.script("POST", "/v1/completions",
                      json_reply(401, {"error": {"message": "Invalid API key"}}))
        r = kperf("run", plan(tmp_path, server.base_url), "--out", tmp_path / "o")
        posts = [q for q in server.requests if q.method == "POST"]
    assert r.returncode == 2, r.stdout + r.stderr
    line = r.stderr.strip()
    assert line.count("\n") == 0 and "Traceback" not in line
    assert line.startswith("kperf: target: The endpoint at ")
    assert "HTTP 401: Invalid API key" in line and "KPERF_TEST_KEY" in line
    assert "sk-wrong" not in r.stdout + r.stderr
    # one request was sent, of one token, and nothing was measured or written
    assert len(posts) == 1 and posts[0].json()["max_tokens"] == 1
    assert "point" not in r.stdout
    assert not (tmp_path / "o").exists()


def test_an_api_the_server_lacks_is_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv("KPERF_TEST_KEY", "k")
    with FakeOpenAI() as server:
        server.script("GET", "/v1/models", models_reply("m1"))  # and no chat route at all
        r = kperf("run", plan(tmp_path, server.base_url, api="chat"), "--out", tmp_path / "o")
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.strip().count("\n") == 0
    assert "one-token chat request" in r.stderr and "set it to 'completions'" in r.stderr
    assert not (tmp_path / "o").exists()
