"""One SCPI transport over pyvisa for every SCPI power meter, and the SCPI meter base.

The transport sends exact bytes (explicit write and read terminations), turns pyvisa's failures
into the typed meter errors with a plain sentence, and reads the error queue. Makers differ only
in their command tables and parsing, which live in their own driver modules.
"""
from __future__ import annotations

import os
import select
import socket
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

import pyvisa
from pyvisa import constants, rname
from pyvisa.errors import InvalidSession, VisaIOError

from ..resources import sim_file, sim_resources
from .base import (
    Identity,
    Meter,
    MeterDisconnected,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Reading,
)

DEFAULT_BACKEND = "@py"

_PARITY = {
    "none": constants.Parity.none,
    "odd": constants.Parity.odd,
    "even": constants.Parity.even,
    "mark": constants.Parity.mark,
    "space": constants.Parity.space,
}
_STOP_BITS = {
    1.0: constants.StopBits.one,
    1.5: constants.StopBits.one_and_a_half,
    2.0: constants.StopBits.two,
}
_FLOW_CONTROL = {
    "none": constants.ControlFlow.none,
    "xon_xoff": constants.ControlFlow.xon_xoff,
    "rts_cts": constants.ControlFlow.rts_cts,
    "dtr_dsr": constants.ControlFlow.dtr_dsr,
}
_DISCONNECT_CODES = {
    constants.StatusCode.error_connection_lost,
    constants.StatusCode.error_invalid_object,
    constants.StatusCode.error_io,
    constants.StatusCode.error_resource_not_found,
}


@dataclass(frozen=True)
class SerialSettings:
    """Line settings for an ASRL (serial) resource."""

    baud_rate: int = 9600
    data_bits: int = 8
    parity: str = "none"
    stop_bits: float = 1.0
    flow_control: str = "none"

    KEYS: ClassVar[tuple[str, ...]] = (
        "baud_rate",
        "data_bits",
        "parity",
        "stop_bits",
        "flow_control",
    )

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> "SerialSettings | None":
        """Settings from driver options, or ``None`` where no serial option is given."""
        given = {key: options[key] for key in cls.KEYS if key in options}
        if not given:
            return None
        settings = cls(**given)
        if settings.parity not in _PARITY:
            raise MeterUnavailable(
                f"Serial parity {settings.parity!r} is not one of {', '.join(_PARITY)}."
            )
        if float(settings.stop_bits) not in _STOP_BITS:
            raise MeterUnavailable(f"Serial stop bits {settings.stop_bits!r} must be 1, 1.5 or 2.")
        if settings.flow_control not in _FLOW_CONTROL:
            raise MeterUnavailable(
                f"Serial flow control {settings.flow_control!r} is not one of "
                f"{', '.join(_FLOW_CONTROL)}."
            )
        return settings

    def visa_attributes(self) -> dict[str, Any]:
        """The pyvisa resource attributes for these settings."""
        return {
            "baud_rate": int(self.baud_rate),
            "data_bits": int(self.data_bits),
            "parity": _PARITY[self.parity],
            "stop_bits": _STOP_BITS[float(self.stop_bits)],
            "flow_control": _FLOW_CONTROL[self.flow_control],
        }


def visa_resource_name(resource: str) -> str:
    """A VISA resource string for ``resource``; a bare serial port (``COM3``, ``/dev/ttyUSB0``)
    becomes its ASRL form."""
    if "::" in resource:
        return resource
    if resource.upper().startswith("COM") or resource.startswith("/dev/"):
        return f"ASRL{resource}::INSTR"
    return resource


def _hint(resource: str) -> str:
    kind = resource.upper()
    if kind.startswith("TCPIP"):
        return "Check the cable/IP address and that the meter's Ethernet interface is enabled."
    if kind.startswith("ASRL"):
        return "Check the serial port name, the cable and the meter's baud rate."
    if kind.startswith("USB"):
        return "Check the USB cable and that this user may access the device."
    if kind.startswith("GPIB"):
        return "Check the GPIB address and the adapter."
    return "Check the resource string."


def _reason(exc: BaseException) -> str:
    """The cause of a failure, short enough for a sentence."""
    if isinstance(exc, VisaIOError):
        return str(exc.description).split(".")[0].strip().lower() or exc.abbreviation
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno).lower()
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = text.split(" 'Traceback")[0]
    if "error_timeout" in text:
        return "no answer to the connection request"
    return text.rstrip(".")


def _is_no_error(entry: str) -> bool:
    return entry.split(",", 1)[0].strip().lstrip("+") == "0"


class ScpiTransport:
    """Message-based I/O with one SCPI instrument over pyvisa (pyvisa-py unless told otherwise).

    ``backend`` is a pyvisa backend string (``"@py"``, ``"path/to/file.yaml@sim"``); a given
    ``resource_manager`` is used instead and left open on :meth:`close`.
    """

    def __init__(
        self,
        resource: str,
        *,
        resource_manager: Any | None = None,
        backend: str = DEFAULT_BACKEND,
        read_termination: str = "\n",
        write_termination: str = "\n",
        timeout_ms: int = 3000,
        serial: SerialSettings | None = None,
        encoding: str = "ascii",
    ):
        self.resource = resource
        self.visa_name = visa_resource_name(resource)
        self.backend = backend
        self.read_termination = read_termination
        self.write_termination = write_termination
        self.timeout_ms = timeout_ms
        self.serial = serial
        self.encoding = encoding
        self._rm = resource_manager
        self._owns_rm = resource_manager is None
        self._res: Any = None
        self._last_command = ""

    @property
    def is_open(self) -> bool:
        """Whether a session to the instrument is open."""
        return self._res is not None

    def open(self) -> None:
        """Open the session; :class:`MeterUnavailable` with a plain sentence when it cannot."""
        if self._res is not None:
            return
        try:
            rname.parse_resource_name(self.visa_name)
        except rname.InvalidResourceName as exc:
            raise MeterUnavailable(
                f"{self.resource!r} is not a VISA resource string or serial port (for example "
                f"TCPIP::192.168.0.10::INSTR, ASRL/dev/ttyUSB0::INSTR or COM3)."
            ) from exc
        if self._rm is None:
            try:
                self._rm = pyvisa.ResourceManager(self.backend)
            except Exception as exc:
                raise MeterUnavailable(
                    f"The VISA backend {self.backend!r} cannot be loaded: {_reason(exc)}."
                ) from exc
        attributes: dict[str, Any] = {
            "read_termination": self.read_termination,
            "write_termination": self.write_termination,
            "timeout": self.timeout_ms,
        }
        if self.serial is not None and self.visa_name.upper().startswith("ASRL"):
            attributes.update(self.serial.visa_attributes())
        try:
            self._res = self._rm.open_resource(
                self.visa_name, open_timeout=self.timeout_ms, **attributes
            )
        except Exception as exc:
            raise MeterUnavailable(self._open_failure(_reason(exc))) from exc
        refused = self._socket_error()
        if refused:
            self._close_resource()
            raise MeterUnavailable(self._open_failure(os.strerror(refused).lower()))

    def write(self, command: str) -> None:
        """Send ``command`` followed by the write termination."""
        self._last_command = command
        data = (command + self.write_termination).encode(self.encoding)
        res = self._session()
        try:
            res.write_raw(data)
        except VisaIOError as exc:
            raise self._visa_failure(exc) from exc
        except (OSError, InvalidSession) as exc:
            raise self._lost(exc) from exc

    def query_raw(self, command: str) -> bytes:
        """Send ``command`` and return the reply's bytes without the read termination."""
        self.write(command)
        res = self._session()
        try:
            data = res.read_raw()
        except VisaIOError as exc:
            raise self._visa_failure(exc) from exc
        except (OSError, InvalidSession) as exc:
            raise self._lost(exc) from exc
        end = self.read_termination.encode(self.encoding)
        if end and data.endswith(end):
            data = data[: -len(end)]
        return data

    def query(self, command: str) -> str:
        """Send ``command`` and return the reply as stripped text."""
        return self.query_raw(command).decode(self.encoding, errors="replace").strip()

    def clear_and_reopen(self) -> None:
        """Clear the device, close the session and open a fresh one (a session can stay broken
        after a timeout). :class:`MeterDisconnected` when it cannot be reopened."""
        if self._res is not None:
            try:
                self._res.clear()
            except Exception:  # a broken session may refuse even the clear; reopening follows
                pass
            self._close_resource()
        try:
            self.open()
        except MeterUnavailable as exc:
            raise MeterDisconnected(
                f"The meter at {self.resource} stopped answering and could not be reopened: {exc}",
                raw=exc.raw,
            ) from exc

    def close(self) -> None:
        """Close the session (and the resource manager if this transport made it). Safe twice."""
        self._close_resource()
        if self._owns_rm and self._rm is not None:
            try:
                self._rm.close()
            except Exception:  # closing must not fail
                pass
            self._rm = None

    def check_error_queue(self, query: str = "SYST:ERR?", max_entries: int = 32) -> None:
        """Read the error queue until it reports ``0,...``; :class:`MeterProtocolError` naming
        every entry found."""
        entries: list[str] = []
        for _ in range(max_entries):
            entry = self.query(query)
            if _is_no_error(entry):
                break
            entries.append(entry)
        else:
            entries.append(f"(more than {max_entries} entries)")
        if entries:
            text = "; ".join(entries)
            raise MeterProtocolError(
                f"The meter at {self.resource} reported: {text}. Check the ranges, elements and "
                f"rate asked of this model.",
                raw="\n".join(entries).encode(self.encoding, errors="replace"),
            )

    def _session(self) -> Any:
        if self._res is None:
            raise MeterDisconnected(f"The connection to the meter at {self.resource} is closed.")
        return self._res

    def _close_resource(self) -> None:
        res, self._res = self._res, None
        if res is not None:
            try:
                res.close()
            except Exception:  # closing must not fail
                pass

    def _open_failure(self, reason: str) -> str:
        return f"Cannot open the meter at {self.resource}: {reason}. {_hint(self.visa_name)}"

    def _lost(self, exc: BaseException) -> MeterDisconnected:
        return MeterDisconnected(
            f"The connection to the meter at {self.resource} was lost ({_reason(exc)}). "
            f"Check the cable and that the meter is on."
        )

    def _visa_failure(self, exc: VisaIOError) -> Exception:
        if exc.error_code == constants.StatusCode.error_timeout:
            if self._peer_closed():
                return MeterDisconnected(
                    f"The meter at {self.resource} closed the connection. "
                    f"Check the cable and that the meter is on."
                )
            return MeterTimeout(
                f"The meter at {self.resource} did not answer {self._last_command!r} within "
                f"{self.timeout_ms} ms."
            )
        if exc.error_code in _DISCONNECT_CODES:
            return self._lost(exc)
        return MeterProtocolError(
            f"The meter at {self.resource} could not complete {self._last_command!r}: "
            f"{_reason(exc)}."
        )

    def _socket(self) -> socket.socket | None:
        """The TCP socket behind a pyvisa-py SOCKET session, where there is one."""
        sessions = getattr(getattr(self._rm, "visalib", None), "sessions", None)
        if not isinstance(sessions, dict) or self._res is None:
            return None
        try:
            session = sessions.get(self._res.session)
        except InvalidSession:
            return None
        sock = getattr(session, "interface", None)
        return sock if isinstance(sock, socket.socket) else None

    def _socket_error(self) -> int:
        """The pending error of a just-connected socket (pyvisa-py reports a refused connection
        only at the first transfer)."""
        sock = self._socket()
        return sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) if sock is not None else 0

    def _peer_closed(self) -> bool:
        """Whether the other end closed the socket (pyvisa-py reports that as a timeout)."""
        sock = self._socket()
        if sock is None:
            return False
        try:
            ready, _, _ = select.select([sock], [], [], 0)
            return bool(ready) and sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True


def parse_idn(reply: str) -> Identity:
    """An :class:`Identity` from a ``*IDN?`` reply (maker, model, serial, firmware)."""
    fields = [field.strip() for field in reply.strip().split(",")]
    if len(fields) < 2 or not fields[0] or not fields[1]:
        raise MeterProtocolError(
            f"The meter's identity reply {reply.strip()!r} cannot be read.",
            raw=reply.encode(errors="replace"),
        )
    return Identity(
        maker=fields[0],
        model=fields[1],
        serial=fields[2] if len(fields) > 2 else "",
        firmware=",".join(fields[3:]),
        raw=reply.strip(),
    )


class ScpiMeter(Meter):
    """A meter spoken to in SCPI through one :class:`ScpiTransport`.

    Driver options: ``simulate`` (true: the make's pyvisa-sim instrument shipped in
    ``resources/sim``, no hardware), ``backend`` (pyvisa backend string), ``resource_manager`` (a pyvisa resource
    manager to use), ``timeout_ms``, ``read_termination``, ``write_termination`` and, for serial
    ports, ``baud_rate``, ``data_bits``, ``parity``, ``stop_bits``, ``flow_control``.
    """

    read_termination: ClassVar[str] = "\n"
    write_termination: ClassVar[str] = "\n"
    timeout_ms: ClassVar[int] = 3000
    error_query: ClassVar[str] = "SYST:ERR?"

    def __init__(self, resource: str = "", **options: Any):
        backend = options.get("backend", DEFAULT_BACKEND)
        if options.get("simulate"):
            backend, resource = self._simulated(resource)
        super().__init__(resource, **options)
        self.transport = ScpiTransport(
            resource,
            resource_manager=options.get("resource_manager"),
            backend=backend,
            read_termination=options.get("read_termination", self.read_termination),
            write_termination=options.get("write_termination", self.write_termination),
            timeout_ms=int(options.get("timeout_ms", self.timeout_ms)),
            serial=SerialSettings.from_options(options),
        )
        self.identity: Identity | None = None

    def _simulated(self, resource: str) -> tuple[str, str]:
        """The pyvisa-sim backend of this make's shipped description, and the resource to open
        there (the first it describes when none is given)."""
        path = sim_file(self.name)
        if path is None:
            raise MeterUnavailable(f"No simulated {self.name} is shipped; leave out the option "
                                   "simulate to use a real instrument.")
        names = sim_resources(self.name)
        if resource and resource not in names:
            raise MeterUnavailable(f"The simulated {self.name} answers on {', '.join(names)}, "
                                   f"not {resource}.")
        return f"{path}@sim", resource or names[0]

    def open(self) -> None:
        self.transport.open()

    def identify(self) -> Identity:
        self.identity = parse_idn(self.transport.query("*IDN?"))
        return self.identity

    def check_errors(self) -> None:
        """Read the error queue; :class:`MeterProtocolError` naming any entry."""
        self.transport.check_error_queue(self.error_query)

    def read(self) -> Reading:
        """The next update; after a timeout the instrument is cleared and reopened once (a
        pyvisa-py session can stay broken after one), then a second timeout is reported."""
        try:
            return self._read_update()
        except MeterTimeout:
            self.transport.clear_and_reopen()
            return self._read_update()

    def _read_update(self) -> Reading:
        """Wait for the meter's next update and read it (each driver's own protocol)."""
        raise NotImplementedError

    def close(self) -> None:
        self.transport.close()
