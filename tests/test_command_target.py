"""The command target: vendor benchmark programs, played by a fake that prints recorded outputs."""
from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

from drivers.targets.base import RequestSpec, TargetUnavailable
from drivers.targets.command import CommandTarget
from drivers.targets.parsers import PARSERS, ParseError, compile_regex_fields
from kperf_gui.clock import Clock

DATA = Path(__file__).parent / "data" / "command_outputs"
FAKE = str(DATA / "fake_vendor.py")
CUSTOM_REGEX = {
    "throughput": r"throughput:\s*([\d.]+)",
    "latency_ms": r"latency mean\s*([\d.]+)\s*ms",
    "latency_p99_ms": r"p99\s*([\d.]+)\s*ms",
    "power_w": r"board power\s*([\d.]+)\s*W",
    "inferences": r"frames=(\d+)",
    "window_s": r"elapsed=([\d.]+)\s*s",
}


def fake(fixture: str, *extra: str) -> list[str]:
    return [sys.executable, FAKE, fixture, *extra]


def run(target: CommandTarget, concurrency: int = 1, seconds: float | None = 1):
    return asyncio.run(target.run_point(concurrency, seconds))


def command_target(command, parser, **kw) -> CommandTarget:
    return CommandTarget(Clock().now, command, parser, **kw)


def parse(parser: str, fixture: str, **context):
    return PARSERS[parser]((DATA / fixture).read_text(), {"argv": [], "cwd": None, **context})


# --- the parsers on the recorded outputs -------------------------------------------------------

def test_run_model_parser_reads_block_and_time_line():
    p = parse("run_model", "run_model.txt")
    assert p.throughput_per_s == 412.77
    assert p.latency_ms_mean == 7.408
    assert p.inferences == 124 and p.window_s == 0.300412
    assert p.extra["npu_time_ms_mean"] == 1.862
    text = (DATA / "run_model.txt").read_text()
    assert text[p.window_end_at:].startswith("total-inference-time=0.300412(s)")


def test_run_model_parser_reads_older_and_single_outputs():
    legacy = parse("run_model", "run_model_legacy.txt")
    assert legacy.throughput_per_s == 398.406372 and legacy.window_s is None
    single = parse("run_model", "run_model_single.txt")
    assert single.inferences == 3
    assert single.window_s == pytest.approx(0.004 + 0.005 + 0.005)
    assert single.throughput_per_s == pytest.approx(3 / 0.014)
    assert single.latency_ms_mean == pytest.approx(14 / 3)
    assert single.latency_ms_p99 == pytest.approx(5.0)


def test_hailortcli_benchmark_phases():
    p = parse("hailortcli", "hailortcli_benchmark.txt")
    text = (DATA / "hailortcli_benchmark.txt").read_text()
    assert p.throughput_per_s == 1328.8 and p.extra["hw_only_fps"] == 1328.83
    assert p.latency_ms_mean == 2.93646 and p.power_w == 3.19395
    assert p.inferences == 19931
    assert text[:p.window_start_at].endswith("Measuring FPS and Power in streaming mode")
    assert text[p.window_end_at:].startswith("Measuring HW Latency")


def test_hailortcli_benchmark_run2_and_run():
    run2 = parse("hailortcli", "hailortcli_benchmark_run2.txt")
    assert run2.throughput_per_s == 1327.91 and run2.power_w == 3.18
    assert run2.window_s is None and run2.window_start_at is None
    r = parse("hailortcli", "hailortcli_run.txt")
    assert r.throughput_per_s == 1333.33 and r.inferences == 400
    assert r.window_s == pytest.approx(0.3, rel=1e-4)
    assert r.latency_ms_mean == 2.94 and r.power_w == 3.18


def test_hailortcli_run_reads_the_csv_it_names(tmp_path):
    report = tmp_path / "out.csv"
    report.write_text("net_name,status,status_description,fps,num_of_frames,send_rate,recv_rate,"
                      "hw_latency,overall_latency,min_power,average_power,max_power,min_current,"
                      "average_current,max_current,min_temp,average_temp,max_temp\n"
                      "resnet_v1_50,0,HAILO_SUCCESS,1333.5,400,1600.5,5.3,2.94,,3.1,3.21,3.25,,,,,,\n")
    text = (DATA / "hailortcli_run.txt").read_text().replace(
        "> Inference result:", f"> Writing inference results to '{report}'... done.\n> Inference result:")
    p = PARSERS["hailortcli"](text, {"argv": [], "cwd": None})
    assert p.throughput_per_s == 1333.5 and p.power_w == 3.21
    assert p.extra["report_file"] == str(report)


def test_rknn_benchmark_parser():
    p = parse("rknn_benchmark", "rknn_benchmark.txt")
    assert p.throughput_per_s == 353.357
    assert p.inferences == 10
    assert p.window_s == pytest.approx(0.0283)
    assert p.latency_ms_mean == pytest.approx(2.83)
    assert 2.82 < p.latency_ms_p99 < 3.10


def test_dxbenchmark_parser_prefers_printed_report(tmp_path):
    report = tmp_path / "DXBENCHMARK_x.json"
    report.write_text((DATA / "dxbenchmark.json").read_text())
    text = (DATA / "dxbenchmark.txt").read_text() + f"Result saved to {report}\n"
    p = PARSERS["dxbenchmark"](text, {"argv": ["dxbenchmark"], "cwd": None})
    assert p.throughput_per_s == 412.53 and p.latency_ms_mean == 7.41
    assert p.extra == {"report_file": str(report), "model": "YOLOV8N.dxnn", "npu_time_ms_mean": 1.86}


def test_dxbenchmark_parser_falls_back_to_csv(tmp_path):
    (tmp_path / "DXBENCHMARK_x.csv").write_text((DATA / "dxbenchmark.csv").read_text())
    (tmp_path / "DXBENCHMARK_x.json").write_text('{"results": [ {"Model Name": "C:\\m.dxnn"')
    p = PARSERS["dxbenchmark"]("", {"argv": ["dxbenchmark", "--result-path", str(tmp_path)],
                                    "cwd": None, "started_epoch_s": time.time() - 5})
    assert p.throughput_per_s == 412.53 and p.extra["report_file"].endswith(".csv")


def test_dxbenchmark_parser_without_report(tmp_path):
    with pytest.raises(ParseError, match="no DXBENCHMARK"):
        PARSERS["dxbenchmark"]("", {"argv": ["--result-path", str(tmp_path)], "cwd": None})


def test_regex_fields_are_checked():
    with pytest.raises(ValueError, match="Unknown regex field 'fps'"):
        compile_regex_fields({"fps": r"(\d+)"})
    with pytest.raises(ValueError, match="exactly one capture group"):
        compile_regex_fields({"throughput": r"\d+"})
    with pytest.raises(ValueError, match="does not compile"):
        compile_regex_fields({"throughput": r"(\d+"})
    with pytest.raises(ValueError, match="'throughput' or 'inferences'"):
        compile_regex_fields({"power_w": r"(\d+)"})


# --- whole points through the fake program -----------------------------------------------------

def test_substitution_of_concurrency_and_seconds():
    t = command_target(fake("run_model.txt", "--echo-argv", "-t", "{seconds}", "--jobs={concurrency}"),
                       "run_model")
    point = run(t, concurrency=4, seconds=0.5)
    assert point.ok, point.error
    assert point.argv[-3:] == ["-t", "0.5", "--jobs=4"]
    assert point.raw_output.startswith("argv: run_model.txt --echo-argv -t 0.5 --jobs=4\n")
    assert run(t, concurrency=2, seconds=30).argv[-3:] == ["-t", "30", "--jobs=2"]


def test_seconds_needed_but_not_given():
    point = run(command_target(fake("run_model.txt", "-t", "{seconds}"), "run_model"), seconds=None)
    assert not point.ok and "seconds_per_point" in point.error


def test_reported_duration_window_is_placed_where_it_was_printed():
    t = command_target(fake("run_model.txt", "--pause-before", "total-inference-time=0.4",
                            "--sleep-after", "0.2"), "run_model", settle_s=0.05)
    point = run(t)
    assert point.ok, point.error
    assert point.window_source == "reported"
    assert point.window_end_ns - point.window_start_ns == 300_412_000
    assert point.started_ns + 300_000_000 < point.window_end_ns < point.ended_ns - 150_000_000
    assert point.throughput_per_s == 412.77 and point.inferences == 124
    assert point.latency_ms_mean == 7.408 and point.extra["npu_time_ms_mean"] == 1.862
    assert "* Benchmark Result (124 inputs)" in point.raw_output


def test_reported_phase_markers_give_the_window():
    t = command_target(fake("hailortcli_benchmark.txt", "--pause-before", "Measuring HW Latency=0.3",
                            "--pause-before", "Measuring FPS in hw_only=0.2"), "hailortcli")
    point = run(t)
    assert point.ok, point.error
    assert point.window_source == "reported"
    assert 0.3 <= point.window_s < 0.6
    assert point.window_start_ns - point.started_ns >= 200_000_000
    assert point.vendor_power_w == 3.19395 and point.throughput_per_s == 1328.8
    assert point.inferences == 19931


def test_window_is_lifetime_less_settle_where_none_is_reported(tmp_path):
    t = command_target(fake("dxbenchmark.txt", "--result-path", str(tmp_path), "--sleep-after", "0.4"),
                       "dxbenchmark", settle_s=0.1)
    point = run(t)
    assert point.ok, point.error
    assert point.window_source == "lifetime-settle"
    assert point.window_start_ns == point.started_ns + 100_000_000
    assert point.window_end_ns == point.ended_ns
    assert point.throughput_per_s == 412.53 and point.latency_ms_mean == 7.41
    assert point.inferences == pytest.approx(412.53 * point.window_s)
    assert point.latency_ms_p99 is None and point.vendor_power_w is None


def test_settle_longer_than_the_run():
    point = run(command_target(fake("run_model_legacy.txt"), "run_model", settle_s=30))
    assert not point.ok and "settle_s" in point.error


@pytest.mark.parametrize("fixture, parser, throughput", [
    ("hailortcli_run.txt", "hailortcli", 1333.33),
    ("hailortcli_benchmark_run2.txt", "hailortcli", 1327.91),
    ("rknn_benchmark.txt", "rknn_benchmark", 353.357),
    ("run_model_single.txt", "run_model", 3 / 0.014),
])
def test_each_parser_through_a_program(fixture, parser, throughput):
    point = run(command_target(fake(fixture, "--sleep-after", "0.05"), parser))
    assert point.ok, point.error
    assert point.throughput_per_s == pytest.approx(throughput)
    assert point.raw_output == (DATA / fixture).read_text()


def test_regex_parser_through_a_program():
    t = command_target(fake("custom_tool.txt", "--pause-before", "elapsed=0.3"), "regex",
                       regex=CUSTOM_REGEX)
    point = run(t)
    assert point.ok, point.error
    assert point.throughput_per_s == 1200.0 and point.inferences == 300
    assert point.latency_ms_mean == 3.30 and point.latency_ms_p99 == 4.75
    assert point.vendor_power_w == 6.20
    assert point.window_source == "reported" and point.window_s == pytest.approx(0.25)


def test_regex_parser_with_count_only_derives_throughput():
    t = command_target(fake("custom_tool.txt", "--sleep-after", "0.3"), "regex",
                       regex={"inferences": r"frames=(\d+)"}, settle_s=0.05)
    point = run(t)
    assert point.ok, point.error
    assert point.window_source == "lifetime-settle"
    assert point.throughput_per_s == pytest.approx(300 / point.window_s)


def test_timeout_kills_the_program():
    t = command_target(fake("run_model.txt", "--sleep-after", "30"), "run_model", timeout_s=0.5)
    began = time.monotonic()
    point = run(t)
    assert time.monotonic() - began < 10
    assert not point.ok and "did not finish within 0.5 s" in point.error
    assert "target.timeout_s" in point.error
    assert point.returncode is not None and point.returncode != 0
    assert "* Benchmark Result (124 inputs)" in point.raw_output


def test_nonzero_exit_is_a_failed_point():
    point = run(command_target(fake("run_model.txt", "--exit", "3"), "run_model"))
    assert not point.ok and point.returncode == 3
    assert "exited with code 3" in point.error and "FPS" in point.error
    assert point.throughput_per_s is None and point.raw_output


def test_unparseable_output_names_the_parser_and_quotes_the_last_lines():
    point = run(command_target(fake("garbage.txt"), "run_model"))
    assert not point.ok and point.returncode == 0
    assert "run_model parser" in point.error
    assert "no figures today" in point.error and "something unexpected happened here" in point.error


def test_program_that_cannot_start(tmp_path):
    point = run(command_target([str(tmp_path / "missing-tool")], "run_model"))
    assert not point.ok and point.returncode is None and "could not be started" in point.error


def test_probe_finds_the_program_or_names_it():
    assert asyncio.run(command_target([sys.executable], "run_model").probe())["program"] == sys.executable
    with pytest.raises(TargetUnavailable, match="no-such-benchmark-tool"):
        asyncio.run(command_target(["no-such-benchmark-tool", "-m", "x"], "run_model").probe())


def test_send_says_the_target_runs_whole_points():
    with pytest.raises(TargetUnavailable, match="whole points"):
        asyncio.run(command_target([sys.executable], "run_model").send(
            RequestSpec(seq=0, prompt="", input_tokens=0, max_tokens=0)))


def test_unknown_parser_and_bad_regex_are_refused():
    with pytest.raises(ValueError, match="Unknown parser 'tflite'"):
        command_target([sys.executable], "tflite")
    with pytest.raises(ValueError, match="capture group"):
        command_target([sys.executable], "regex", regex={"throughput": r"\d+"})


def test_describe_and_kind():
    t = command_target(["rknn_benchmark", "m.rknn", "", "{seconds}"], "rknn_benchmark", settle_s=2)
    assert t.kind == "command" and t.unit == "inference"
    assert t.describe()["command"] == ["rknn_benchmark", "m.rknn", "", "{seconds}"]
    assert t.describe()["settle_s"] == 2.0
