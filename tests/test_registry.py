"""Every driver name of CONTRACT.md's table loads, and ``kperf resources`` lists them all."""
import pytest

from runhelp import kperf
from drivers.meters import registry
from drivers.meters.base import Meter


@pytest.mark.parametrize("name", registry.names())
def test_every_registered_driver_loads_under_its_name(name):
    cls = registry.get(name)
    assert issubclass(cls, Meter) and cls.name == name and cls.models


def test_unknown_driver_names_the_allowed_ones():
    with pytest.raises(KeyError) as e:
        registry.get("acme-9000")
    assert "yokogawa-wt300e" in str(e.value)


def test_resources_lists_drivers_models_and_target_kinds():
    r = kperf("resources", "--timeout", "2", timeout=60)
    assert r.returncode == 0, r.stderr
    for name in registry.names():
        assert name in r.stdout
    assert "WT310E" in r.stdout and "cannot be loaded" not in r.stdout
    for kind in ("openai", "simulated", "deepx", "command"):
        assert kind in r.stdout
