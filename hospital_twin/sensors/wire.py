"""A minimal MQTT 3.1.1 subscriber for the ingest child process: reads the socket in large
chunks and splits them into messages in one loop.

Why not paho-mqtt here: paho reads every packet with a ``select`` and three or four
``recv`` calls and runs a chain of callbacks per message, ~19 µs of CPU per reading before
anything is parsed (and the child needed a second thread for it). At hospital scale that
was a third of the whole ingest cost. This client does only what the ingest child needs:
connect (clean session), subscribe, receive PUBLISH packets of any QoS (acknowledging
QoS 1 and 2), keep the connection alive with PINGREQ, disconnect. Reconnecting is the
caller's loop. Packets larger than ``max_packet`` are skipped without being held in
memory and reported as too large.
"""

from __future__ import annotations

import select
import socket
import struct
import time
from collections.abc import Iterable

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL = 0x10, 0x20, 0x30, 0x40, 0x50, 0x60
PUBCOMP, SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = 0x70, 0x80, 0x90, 0xC0, 0xD0, 0xE0

#: Bytes asked of the socket per read (a few hundred typical messages).
CHUNK = 1 << 18

#: (topic, payload) of a received message; payload None: too large, skipped.
Message = tuple[str, bytes | None]


class MqttError(OSError):
    """The broker refused us, broke the protocol or went silent: reconnect."""


def remaining_length(n: int) -> bytes:
    """MQTT's variable-length encoding of a packet's remaining length."""
    out = bytearray()
    while True:
        n, digit = divmod(n, 128)
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def packet(kind: int, body: bytes) -> bytes:
    """A whole control packet: fixed header (``kind`` with its flags) and body."""
    return bytes([kind]) + remaining_length(len(body)) + body


def connect_packet(client_id: str, keepalive: int) -> bytes:
    """CONNECT, MQTT 3.1.1, clean session."""
    return packet(CONNECT, _string("MQTT") + bytes([4, 0x02])
                  + struct.pack("!H", keepalive) + _string(client_id))


def publish_packet(topic: str, payload: bytes, qos: int = 0, packet_id: int = 0) -> bytes:
    """PUBLISH (``packet_id`` is used at QoS 1 and 2)."""
    body = _string(topic) + (struct.pack("!H", packet_id) if qos else b"") + payload
    return packet(PUBLISH | qos << 1, body)


class Subscriber:
    """One connection to the broker, subscribed to ``topics`` at ``qos`` (ingest: 0)."""

    def __init__(self, host: str, port: int, topics: Iterable[str], client_id: str,
                 keepalive: int = 30, max_packet: int = 1 << 20, qos: int = 0) -> None:
        self.host, self.port, self.topics, self.qos = host, port, list(topics), qos
        self.client_id, self.keepalive, self.max_packet = client_id, keepalive, max_packet
        self.sock: socket.socket | None = None
        self._buf = b""
        self._skip = 0  # bytes of an oversized packet still to drop
        self._topics: dict[bytes, str] = {}
        self._sent = self._heard = 0.0
        self._early = False

    def connect(self, timeout: float = 10.0) -> None:
        """Connect, subscribe and wait for the broker to confirm both (MqttError/OSError)."""
        self.close()
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self._buf, self._skip = sock, b"", 0
        try:
            self._send(connect_packet(self.client_id, self.keepalive))
            kind, body = self._control(timeout)
            if kind != CONNACK or len(body) != 2 or body[1] != 0:
                raise MqttError(f"connection refused (CONNACK {body.hex()})")
            subs = b"".join(_string(t) + bytes([self.qos]) for t in self.topics)
            self._send(packet(SUBSCRIBE | 0x02, b"\x00\x01" + subs))
            kind, body = self._control(timeout)
            if kind != SUBACK or 0x80 in body[2:]:
                raise MqttError(f"subscription refused (SUBACK {body.hex()})")
        except BaseException:
            self.close()
            raise
        sock.settimeout(None)
        self._heard = time.monotonic()
        self._early = bool(self._buf)  # e.g. retained messages right behind the SUBACK

    def _control(self, timeout: float) -> tuple[int, bytes]:
        """The next packet during the handshake (nothing else is sent before SUBACK)."""
        assert self.sock is not None
        self.sock.settimeout(timeout)
        while True:
            found = self._split_one()
            if found is not None:
                return found
            data = self.sock.recv(CHUNK)
            if not data:
                raise MqttError("connection closed by the broker")
            self._buf += data

    def _split_one(self) -> tuple[int, bytes] | None:
        buf = self._buf
        header = _header(buf, 0)
        if header is None or header[0] + header[1] > len(buf):
            return None
        start, length = header
        self._buf = buf[start + length:]
        return buf[0] & 0xF0, buf[start:start + length]

    def _send(self, data: bytes) -> None:
        assert self.sock is not None
        self.sock.sendall(data)
        self._sent = time.monotonic()

    def fileno(self) -> int:
        """The socket's descriptor (for ``select``)."""
        return self.sock.fileno() if self.sock is not None else -1

    def receive(self, timeout: float, also: Iterable = ()) -> list[Message]:
        """Wait up to ``timeout`` s for data (or for one of ``also`` to be readable), then
        return the complete messages received; pings the broker when due. MqttError or
        OSError when the connection is gone."""
        assert self.sock is not None
        now = time.monotonic()
        if now - self._sent >= self.keepalive / 2:
            self._send(packet(PINGREQ, b""))
        if now - self._heard > self.keepalive * 1.5:
            raise MqttError(f"broker silent for {now - self._heard:.0f} s")
        if self._early:
            self._early = False
            early = self._split()
            if early:
                return early
        ready, _, _ = select.select([self.sock, *also], [], [], timeout)
        if self.sock not in ready:
            return []
        data = self.sock.recv(CHUNK)
        if not data:
            raise MqttError("connection closed by the broker")
        self._heard = time.monotonic()
        if self._skip:
            dropped = min(self._skip, len(data))
            self._skip -= dropped
            data = data[dropped:]
        self._buf = self._buf + data if self._buf else data
        return self._split()

    def _split(self) -> list[Message]:
        """Take the complete packets off the buffer; the messages among them."""
        buf, out, acks = self._buf, [], []
        end, pos = len(buf), 0
        topics = self._topics
        while pos < end:
            first = buf[pos]
            # remaining length: one or two bytes are by far the most common cases
            if pos + 2 < end and buf[pos + 1] < 128:
                start, length = pos + 2, buf[pos + 1]
            elif pos + 2 < end and buf[pos + 2] < 128:
                start, length = pos + 3, (buf[pos + 1] & 0x7F) | buf[pos + 2] << 7
            else:
                header = _header(buf, pos)
                if header is None:
                    break
                start, length = header
            stop = start + length
            if first & 0xF0 == PUBLISH:
                if length > self.max_packet:  # reported without its payload, never held
                    if end - start < 2 or end - start < 2 + _u16(buf, start):
                        break  # its topic is still to come
                    out.append((self._topic(buf, start), None))
                    self._skip = max(0, stop - end)
                    pos = min(stop, end)
                    continue
                if stop > end:
                    break
                qos = (first >> 1) & 3
                size = _u16(buf, start) if length >= 2 else length
                topic_end = start + 2 + size
                if topic_end + (2 if qos else 0) > stop:
                    raise MqttError("malformed PUBLISH packet from the broker")
                name = buf[start + 2:topic_end]
                topic = topics.get(name)
                if topic is None:
                    topic = self._topic(buf, start)
                if qos:
                    acks.append(packet(PUBACK if qos == 1 else PUBREC,
                                       buf[topic_end:topic_end + 2]))
                    topic_end += 2
                out.append((topic, buf[topic_end:stop]))
            else:
                if stop > end:
                    break
                kind = first & 0xF0
                if kind == PUBREL:
                    acks.append(packet(PUBCOMP, buf[start:start + 2]))
                elif kind not in (PINGRESP, SUBACK, PUBACK, PUBCOMP, PUBREC):
                    raise MqttError(f"unexpected packet type {kind >> 4}")
            pos = stop
        self._buf = buf[pos:] if pos else buf
        if acks:
            self._send(b"".join(acks))
        return out

    def _topic(self, buf: bytes, start: int) -> str:
        name = buf[start + 2:start + 2 + _u16(buf, start)]
        topic = name.decode("utf-8", "replace")
        if len(self._topics) < 100_000 and len(name) <= 128:  # topics are sender-chosen
            self._topics[name] = topic
        return topic

    def close(self) -> None:
        """Send DISCONNECT (if connected) and close the socket."""
        if self.sock is None:
            return
        try:
            self.sock.settimeout(1)
            self.sock.sendall(packet(DISCONNECT, b""))
        except OSError:
            pass
        self.sock.close()
        self.sock = None


def _u16(buf: bytes, at: int) -> int:
    return buf[at] << 8 | buf[at + 1]


def _header(buf: bytes, pos: int) -> tuple[int, int] | None:
    """(start of the body, its length) of the packet at ``pos``; None if incomplete."""
    length, shift, i = 0, 0, pos + 1
    while i < len(buf):
        digit = buf[i]
        length |= (digit & 0x7F) << shift
        i += 1
        if digit < 0x80:
            return i, length
        shift += 7
        if shift > 21:
            raise MqttError("malformed remaining length")
    return None
