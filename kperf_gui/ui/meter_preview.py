"""A meter's identity and live reading before a run, polled in a thread of its own.

The thread opens, identifies and configures the instrument, then reads until asked to stop, and
always closes it: the app lets go of every instrument before a run starts. The simulated meter
with no resource gets a simulator of its own for the preview.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal

from drivers.meters import registry
from drivers.meters.base import Meter, MeterConfig, MeterError


class MeterPreview(QThread):
    """Signals: ``identified(Identity)``, ``reading(Reading)``, ``failed(str)``."""

    identified = Signal(object)
    reading = Signal(object)
    failed = Signal(str)

    def __init__(self, driver: str, resource: str, elements: tuple[int, ...], rate_hz: float,
                 parent: QObject | None = None, options: dict | None = None):
        super().__init__(parent)
        self.driver = driver
        self.resource = resource
        self.options = dict(options or {})
        self.config = MeterConfig(elements=elements, rate_hz=rate_hz)
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the thread to let go of the instrument; ``finished`` follows."""
        self._stop.set()

    def run(self) -> None:
        sim = None
        meter: Meter | None = None
        try:
            cls = registry.get(self.driver)
            resource = self.resource
            if self.driver == "simulated" and not resource:
                from kperf_gui.sim.process import start_sim_server

                sim = start_sim_server()
                resource = sim.root_url
            if self._stop.is_set():
                return
            meter = cls(resource, **self.options)
            meter.open()
            self.identified.emit(meter.identify())
            meter.configure(self.config)
            while not self._stop.is_set():
                self.reading.emit(meter.read())
        except MeterError as exc:
            self.failed.emit(str(exc))
        except KeyError as exc:
            self.failed.emit(str(exc.args[0]))
        except Exception as exc:  # noqa: BLE001 - a driver's own failure, said in one line
            self.failed.emit(self.tr("The {0} driver failed: {1}").format(self.driver, exc))
        finally:
            if meter is not None:
                try:
                    meter.close()
                except Exception:  # noqa: BLE001 - closing after a failure: the first error counts
                    pass
            if sim is not None:
                sim.stop()
