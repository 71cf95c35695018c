"""One SCPI transport over pyvisa for every SCPI power meter, the SCPI meter base, and the
behaviour every SCPI driver shares.

The transport sends exact bytes (explicit write and read terminations), turns pyvisa's failures
into the typed meter errors with a plain sentence, and reads the error queue. What SCPI meters
share lives here once: decoding the standard event status register (``*ESR?``), special values
that stand for over-range or no data, matching the identified model against a driver's table,
number parsing with a clear error, the wait for an update bit, and clear-reopen-retry after a
timeout. Makers differ only in their command tables and parsing, which live in their own driver
modules.
"""
from __future__ import annotations

import math
import os
import select
import socket
import time
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterable, Mapping

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
    Status,
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


# --- behaviour every SCPI meter shares ----------------------------------------------------

#: Error bits of the IEEE 488.2 standard event status register (``*ESR?``): command, execution,
#: device-dependent and query error (IEEE 488.2 11.5.1; the same bits in every maker's manual
#: cited by the drivers, e.g. Hioki PW3335A985-01 ch. 1 Event Registers, p. 8).
ESR_ERRORS: tuple[tuple[int, str], ...] = (
    (0x20, "command error (CME)"),
    (0x10, "execution error (EXE)"),
    (0x08, "device-dependent error (DDE)"),
    (0x04, "query error (QYE)"),
)


def esr_errors(register: int) -> list[str]:
    """The names of the error bits set in a standard event status register value."""
    return [name for bit, name in ESR_ERRORS if register & bit]


def check_event_status(reply: bytes, where: str) -> None:
    """Decode a ``*ESR?`` reply; :class:`MeterProtocolError` naming every error bit set (``where``
    names the instrument, e.g. "The meter at TCPIP::...")."""
    register = parse_integer(reply, "event status (*ESR?)")
    found = esr_errors(register)
    if found:
        raise MeterProtocolError(
            f"{where} reported {', '.join(found)} (*ESR? {register}) while being configured. "
            f"Check the ranges, elements and rate asked of this model, or leave the ranges "
            f"empty for auto range.", raw=reply)


def parse_integer(reply: bytes | str, what: str) -> int:
    """An integer reply (a register, a range number); :class:`MeterProtocolError` naming
    ``what`` when it is not one."""
    text = reply.decode("ascii", errors="replace") if isinstance(reply, bytes) else reply
    try:
        return int(text.strip().lstrip("+"))
    except ValueError:
        raw = reply if isinstance(reply, bytes) else reply.encode(errors="replace")
        raise MeterProtocolError(f"The meter's {what} reply {text.strip()[:40]!r} is not a "
                                 f"whole number.", raw=raw) from None


def parse_number(reply: bytes | str, what: str) -> float:
    """A numeric reply (``150.0E+00``, ``0.5``); :class:`MeterProtocolError` naming ``what``
    when it is not a finite number."""
    text = reply.decode("ascii", errors="replace") if isinstance(reply, bytes) else reply
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raw = reply if isinstance(reply, bytes) else reply.encode(errors="replace")
        raise MeterProtocolError(f"The meter's {what} reply {text.strip()[:40]!r} is not a "
                                 f"number.", raw=raw)
    return value


@dataclass(frozen=True)
class SpecialValues:
    """Numbers a meter sends in place of a value, and what each means. Both signs are meant;
    ``nan``/``inf`` (``NAN``, ``INF``) mean no data / over range unless ``finite_only``, in which
    case they are not numbers for this meter. Defaults: SCPI-99 vol. 1, 7.2.1.5 (9.9E37 infinity,
    9.91E37 not a number), as Yokogawa (IM 760101-11E p. 5-70, IM WT3001E-17EN p. 6-97) and R&S
    send them."""

    over_range: tuple[float, ...] = (9.9e37,)
    no_data: tuple[float, ...] = (9.91e37,)
    scaling_error: tuple[float, ...] = ()
    rel_tol: float = 0.0
    abs_tol: float = 0.004e37
    finite_only: bool = False

    def classify(self, token: str) -> tuple[Status, float | None]:
        """The status and value of one field; ``ValueError`` if it is not a number."""
        value = float(token)
        if not math.isfinite(value):
            if self.finite_only:
                raise ValueError(token)
            return (Status.NO_DATA, None) if math.isnan(value) else (Status.OVER_RANGE, None)
        size = abs(value)
        for markers, status in ((self.no_data, Status.NO_DATA),
                                (self.over_range, Status.OVER_RANGE),
                                (self.scaling_error, Status.SCALING_ERROR)):
            if any(math.isclose(size, abs(marker), rel_tol=self.rel_tol, abs_tol=self.abs_tol)
                   for marker in markers):
                return status, None
        return Status.OK, value


SCPI_SPECIALS = SpecialValues()


def parse_fields(raw: bytes, expected: int, specials: SpecialValues = SCPI_SPECIALS,
                 separator: str = ",") -> list[tuple[Status, float | None]]:
    """Every field of a reply of ``expected`` numbers; :class:`MeterProtocolError` (with the raw
    reply) when the count is wrong or a field is not a number."""
    text = raw.decode("ascii", errors="replace").strip()
    fields = [field.strip() for field in text.split(separator)] if text else []
    if len(fields) != expected:
        raise MeterProtocolError(
            f"The meter sent {len(fields)} values where {expected} were expected.", raw=raw)
    try:
        return [specials.classify(field) for field in fields]
    except ValueError:
        raise MeterProtocolError(
            f"The meter sent values that are not numbers: {text[:80]!r}.", raw=raw) from None


def match_model(identity: Identity, known: Iterable[str], driver: str, models: Iterable[str],
                resource: str) -> str:
    """The entry of ``known`` the identified model is (exactly, else the longest that starts
    it; spaces and case ignored); :class:`MeterProtocolError` naming the driver's models when
    none is."""
    model = identity.model.replace(" ", "").upper()
    table = list(known)
    for entry in table:
        if model == entry.replace(" ", "").upper():
            return entry
    for entry in sorted(table, key=len, reverse=True):
        if model.startswith(entry.replace(" ", "").upper()):
            return entry
    raise MeterProtocolError(
        f"The instrument at {resource} identifies as {identity.maker} {identity.model}, which "
        f"the {driver} driver does not cover ({', '.join(models)}); choose the driver for that "
        f"model.", raw=identity.raw.encode(errors="replace"))


def wait_for_bit(poll: Callable[[], int], bit: int, period_s: float, limit_s: float,
                 resource: str) -> tuple[int, int]:
    """Poll a status register every quarter update period until ``bit`` is set. Returns every
    bit seen meanwhile (OR-ed: a flag raised while waiting is not lost) and the end of the
    update interval in ``perf_counter_ns``, midway between the poll before the bit and the reply
    that showed it. :class:`MeterTimeout` after ``limit_s``."""
    give_up = time.monotonic() + limit_s
    seen = 0
    previous_ns: int | None = None
    while True:
        sent_ns = time.perf_counter_ns()
        register = poll()
        seen |= register
        if register & bit:
            start_ns = previous_ns if previous_ns is not None else sent_ns
            return seen, (start_ns + time.perf_counter_ns()) // 2
        if time.monotonic() > give_up:
            raise MeterTimeout(f"The meter at {resource} finished no update within "
                               f"{limit_s:.1f} s.")
        previous_ns = sent_ns
        time.sleep(period_s / 4)


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
    #: The error query: an error queue read until it answers ``0,...`` (``SYST:ERR?``), or
    #: ``"*ESR?"`` for makers that report errors in the standard event status register only.
    error_query: str = "SYST:ERR?"
    #: Sent before configuring, so that an old error in the meter's queue or registers does not
    #: fail the run (IEEE 488.2 *CLS: clears the event registers and the error queue).
    CLEAR_STATUS: ClassVar[str] = "*CLS"
    #: Where the simulated instrument (``simulate = true``) keeps its update signal: the status
    #: query and the bit a finished update sets there; ``None`` for makes that are polled or
    #: read on a schedule (they are paced by the driver itself). See :mod:`.simclock`.
    SIM_UPDATE_SIGNAL: ClassVar[tuple[str, int] | None] = None

    def __init__(self, resource: str = "", **options: Any):
        backend = options.get("backend", DEFAULT_BACKEND)
        simulated = bool(options.get("simulate"))
        if simulated:
            backend, resource = self._simulated(resource)
        super().__init__(resource, **options)
        settings = dict(
            resource_manager=options.get("resource_manager"),
            backend=backend,
            read_termination=options.get("read_termination", self.read_termination),
            write_termination=options.get("write_termination", self.write_termination),
            timeout_ms=int(options.get("timeout_ms", self.timeout_ms)),
            serial=SerialSettings.from_options(options),
        )
        self.transport: ScpiTransport
        if simulated and self.SIM_UPDATE_SIGNAL is not None:
            from .simclock import PacedTransport

            query, bit = self.SIM_UPDATE_SIGNAL
            self.transport = PacedTransport(resource, update_query=query, update_bit=bit,
                                            period_s=lambda: self.update_period_s, **settings)
        else:
            self.transport = ScpiTransport(resource, **settings)
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
        """Read the error queue, or the standard event status register where ``error_query``
        is ``*ESR?``; :class:`MeterProtocolError` naming every error found."""
        if self.error_query != "*ESR?":
            self.transport.check_error_queue(self.error_query)
            return
        check_event_status(self.transport.query_raw(self.error_query),
                           f"The meter at {self.resource}")

    def clear_status(self) -> None:
        """``*CLS``: forget errors left in the meter by earlier programs before configuring."""
        self.transport.write(self.CLEAR_STATUS)

    def model_key(self, known: Iterable[str]) -> str:
        """The identified model's entry in ``known`` (identifying first where needed)."""
        identity = self.identity or self.identify()
        return match_model(identity, known, self.name, self.models, self.resource)

    def read(self) -> Reading:
        """The next update; after a timeout the instrument is cleared and reopened once (a
        pyvisa-py session can stay broken after one), then a second timeout is reported."""
        return self.retry_once(self._read_update)

    def retry_once(self, action: Callable[[], Reading]) -> Reading:
        """``action()``; after a :class:`MeterTimeout` the session is cleared and reopened and
        ``action`` tried once more, whose timeout is reported."""
        try:
            return action()
        except MeterTimeout:
            self.transport.clear_and_reopen()
            return action()

    def _read_update(self) -> Reading:
        """Wait for the meter's next update and read it (each driver's own protocol)."""
        raise NotImplementedError

    def close(self) -> None:
        self.transport.close()
