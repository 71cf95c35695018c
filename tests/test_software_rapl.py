"""The rapl channel against a fake powercap folder (the ``root`` option)."""
from __future__ import annotations

from pathlib import Path

import pytest

from drivers.meters.base import (
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterUnavailable,
    Status,
)
from drivers.meters.software.rapl import RAPL

RANGE_UJ = 262_143_328_850


def zone(root: Path, name: str, label: str, energy_uj: int) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "name").write_text(f"{label}\n")
    (folder / "energy_uj").write_text(f"{energy_uj}\n")
    (folder / "max_energy_range_uj").write_text(f"{RANGE_UJ}\n")
    return folder


@pytest.fixture()
def root(tmp_path) -> Path:
    zone(tmp_path, "intel-rapl:0", "package-0", 1_000_000)
    zone(tmp_path, "intel-rapl:1", "package-1", 5_000_000)
    zone(tmp_path, "intel-rapl:0:0", "core", 7)  # a subzone, not a package
    zone(tmp_path, "intel-rapl-mmio:0", "package-0", 7)  # another interface
    return tmp_path


def set_energy(root: Path, package: int, energy_uj: int) -> None:
    (root / f"intel-rapl:{package}" / "energy_uj").write_text(f"{energy_uj}\n")


def test_packages_are_the_elements_and_identified(root) -> None:
    with RAPL(root=str(root)) as meter:
        assert meter.devices() == (1, 2)
        ident = meter.identify()
    assert (ident.maker, ident.model, ident.serial) == ("Intel", "RAPL package energy", "")
    assert ident.firmware.startswith("Linux ")
    assert ident.raw == f"intel-rapl:0 package-0; intel-rapl:1 package-1 under {root}"


def test_power_is_energy_over_time_between_polls_and_wh_counts_from_configure(root) -> None:
    with RAPL(root=str(root)) as meter:
        meter.configure(MeterConfig(elements=(1, 2), rate_hz=200))
        set_energy(root, 0, 1_500_000)
        set_energy(root, 1, 5_000_000)
        first = meter.read()
        set_energy(root, 0, 2_100_000)
        set_energy(root, 1, 5_360_000)
        second = meter.read()
    seconds = (second.end_raw_ns - first.end_raw_ns) / 1e9
    a, b = second.elements
    assert a.watts == pytest.approx(0.6 / seconds) and b.watts == pytest.approx(0.36 / seconds)
    assert a.wh == pytest.approx(1.1 / 3600) and b.wh == pytest.approx(0.36 / 3600)
    assert a.status == {"watts": Status.OK, "wh": Status.OK}
    assert first.elements[1].watts == 0.0
    assert second.raw == b"intel-rapl:0 energy_uj=2100000; intel-rapl:1 energy_uj=5360000"


def test_a_wrapped_counter_is_undone(root) -> None:
    set_energy(root, 0, RANGE_UJ - 200_000)
    with RAPL(root=str(root)) as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=200))
        set_energy(root, 0, RANGE_UJ - 100_000)
        first = meter.read()
        set_energy(root, 0, 400_000)  # wrapped past the range
        second = meter.read()
    seconds = (second.end_raw_ns - first.end_raw_ns) / 1e9
    (element,) = second.elements
    assert element.watts == pytest.approx(0.5 / seconds)
    assert element.wh == pytest.approx(0.6 / 3600)


def test_a_root_only_counter_says_how_to_grant_access(root, monkeypatch) -> None:
    real = Path.read_text

    def refuse(path: Path, *args, **kwargs) -> str:
        if path.name == "energy_uj":
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(MeterUnavailable) as caught:
        RAPL(root=str(root)).open()
    message = str(caught.value)
    assert "energy_uj cannot be read: only root may read it on Linux 5.10 and later" in message
    assert "run K-Perf Lab as root" in message and "udev rule" in message


def test_no_package_zone_is_unavailable(tmp_path) -> None:
    with pytest.raises(MeterUnavailable, match="modprobe intel_rapl_msr"):
        RAPL(root=str(tmp_path / "absent")).open()


def test_a_vanished_counter_is_a_disconnect(root) -> None:
    with RAPL(root=str(root)) as meter:
        meter.configure(MeterConfig(elements=(2,), rate_hz=200))
        (root / "intel-rapl:1" / "energy_uj").unlink()
        with pytest.raises(MeterDisconnected, match="intel_rapl_msr kernel module"):
            meter.read()


def test_a_garbage_counter_is_a_protocol_error_with_its_text(root) -> None:
    with RAPL(root=str(root)) as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=200))
        (root / "intel-rapl:0" / "energy_uj").write_text("garbage\n")
        with pytest.raises(MeterProtocolError) as caught:
            meter.read()
    assert caught.value.raw == b"garbage\n"
