"""The kernel-stamped socket link (:mod:`drivers.targets.rxstamp`) over loopback."""
from __future__ import annotations

import asyncio
import socket
import struct
import time

import pytest

from drivers.targets import rxstamp

pytestmark = pytest.mark.skipif(not rxstamp.supported(),
                                reason="no kernel receive stamps on this system")


async def pair() -> tuple[rxstamp.SocketLink, socket.socket]:
    """A link connected to a plain blocking server socket."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    sock = await rxstamp.connect("127.0.0.1", port)
    peer, _ = server.accept()
    server.close()
    link = rxstamp.open_link(sock)
    assert link is not None
    return link, peer


def run(coro) -> None:
    asyncio.run(asyncio.wait_for(coro, 20))


def test_stamp_of_reads_the_timespec_and_ignores_other_messages():
    raw = struct.pack("@qq", 1_700_000_000, 123_456_789)
    assert rxstamp.stamp_of([(socket.SOL_SOCKET, rxstamp.SO_TIMESTAMPNS, raw)]) \
        == 1_700_000_000_123_456_789
    assert rxstamp.stamp_of([(socket.SOL_SOCKET, 29, raw), (0, 35, raw)]) == 0
    assert rxstamp.stamp_of([(socket.SOL_SOCKET, rxstamp.SO_TIMESTAMPNS, raw[:8])]) == 0
    assert rxstamp.stamp_of([]) == 0


def test_each_block_has_the_time_it_arrived_while_the_loop_was_busy():
    async def go() -> None:
        link, peer = await pair()
        for _ in range(100):  # the first packets after a process first asks may come unstamped
            peer.sendall(b"warm")
            if (await link.read())[1]:
                break
            await asyncio.sleep(0.01)
        sent = time.time_ns()
        peer.sendall(b"hello")
        time.sleep(0.2)  # the loop is busy; the bytes wait in the kernel
        data, stamp = await link.read()
        assert data == b"hello"
        assert 0 <= stamp - sent < 100_000_000  # when it came, not 200 ms later
        peer.close()
        assert await link.read() == (b"", 0)
        assert not link.usable()
        link.close()

    run(go())


def test_a_write_the_socket_cannot_take_at_once_is_drained():
    async def go() -> None:
        link, peer = await pair()
        payload = bytes(range(256)) * 40_000  # 10 MB: far more than the buffers hold
        link.write(payload)
        assert link.pending() > 0
        got = bytearray()
        loop = asyncio.get_running_loop()

        def drain_peer() -> None:
            while len(got) < len(payload):
                data = peer.recv(1 << 16)
                if not data:
                    break
                got.extend(data)

        reader = loop.run_in_executor(None, drain_peer)
        await link.drain()
        await reader
        assert link.pending() == 0 and bytes(got) == payload
        peer.close()
        link.close()

    run(go())


def test_reading_pauses_while_the_reader_is_far_behind_and_loses_nothing():
    async def go() -> None:
        link, peer = await pair()
        loop = asyncio.get_running_loop()
        payload = b"x" * (3 * rxstamp.MAX_BUFFERED)
        sender = loop.run_in_executor(None, peer.sendall, payload)
        await asyncio.sleep(0.3)
        assert link._buffered <= rxstamp.MAX_BUFFERED + rxstamp.RECV_SIZE
        got = 0
        while got < len(payload):
            data, _ = await link.read()
            assert data
            got += len(data)
        await sender
        peer.close()
        assert got == len(payload) and await link.read() == (b"", 0)
        link.close()

    run(go())


def test_a_reset_is_raised_to_the_reader_and_a_closed_link_ends_a_waiting_read():
    async def go() -> None:
        link, peer = await pair()
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        peer.close()  # RST
        with pytest.raises(ConnectionResetError):
            await link.read()
        assert not link.usable()
        with pytest.raises(ConnectionResetError):
            link.write(b"more")
        link.close()

        link2, peer2 = await pair()
        waiting = asyncio.create_task(link2.read())
        await asyncio.sleep(0.01)
        link2.close()
        assert await waiting == (b"", 0)
        with pytest.raises(ConnectionResetError):
            link2.write(b"x")
        peer2.close()

    run(go())


def test_connect_tries_each_address_and_says_why_it_failed():
    async def go() -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with pytest.raises(ConnectionRefusedError):
            await rxstamp.connect("127.0.0.1", port)

    run(go())
