package io.entroca.bench;

import io.entroca.protocol.Handshake;
import io.entroca.protocol.Opcode;
import io.entroca.protocol.RequestHeader;
import io.entroca.protocol.ResponseHeader;
import io.entroca.protocol.ServerInfo;
import io.entroca.protocol.Status;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Entroca through the project's own codec: the handshake of {@link Handshake}, frames written by
 * {@link RequestHeader#write}, replies read by {@link ResponseHeader}, and keys routed by the
 * XXH64 hash and port of {@link io.entroca.protocol.Routing} (precomputed in {@link Keys}). The
 * opaque field carries a running count, as {@code PortConnection} does; replies come in order.
 */
final class EntrocaDriver implements Driver {
    private int opaque;

    @Override
    public String name() {
        return "entroca";
    }

    @Override
    public int[] handshake(SocketChannel channel) throws IOException {
        channel.write(ByteBuffer.wrap(Handshake.clientHello(Handshake.VERSION)));
        byte[] head = readFully(channel, Handshake.SERVER_HEAD_LENGTH);
        if (!Handshake.hasMagic(head, 0)) {
            throw new IOException(channel.getRemoteAddress() + " is not an Entroca server (bad handshake magic)");
        }
        if (Handshake.serverStatus(head) != Status.OK) {
            throw new IOException(channel.getRemoteAddress() + " refused the handshake: "
                    + Status.name(Handshake.serverStatus(head)));
        }
        long length = Handshake.serverBodyLength(head);
        if (length < Handshake.SERVER_BODY_LENGTH || length > Handshake.MAX_SERVER_BODY_LENGTH) {
            throw new IOException("handshake body of " + length + " bytes");
        }
        ServerInfo info = Handshake.parseServerBody(readFully(channel, (int) length));
        return new int[] {info.portIndex(), info.portCount()};
    }

    private static byte[] readFully(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("connection closed during the handshake");
            }
        }
        return buffer.array();
    }

    @Override
    public int maxRequestLength(int keyLength, int valueLength) {
        return RequestHeader.LENGTH + keyLength + valueLength;
    }

    @Override
    public int encodeGet(byte[] out, int pos, Keys keys, int key) {
        byte[] k = keys.bytes[key];
        RequestHeader.write(out, pos, Opcode.GET, 0, k.length, 0, opaque++, 0, keys.hashes[key], 0);
        System.arraycopy(k, 0, out, pos + RequestHeader.LENGTH, k.length);
        return pos + RequestHeader.LENGTH + k.length;
    }

    @Override
    public int encodeSet(byte[] out, int pos, Keys keys, int key, byte[] value, int valueOffset, int valueLength) {
        byte[] k = keys.bytes[key];
        RequestHeader.write(out, pos, Opcode.SET, 0, k.length, valueLength, opaque++, 0, keys.hashes[key], 0);
        int p = pos + RequestHeader.LENGTH;
        System.arraycopy(k, 0, out, p, k.length);
        p += k.length;
        System.arraycopy(value, valueOffset, out, p, valueLength);
        return p + valueLength;
    }

    @Override
    public long parse(byte[] in, int start, int end) throws IOException {
        if (end - start < ResponseHeader.LENGTH) {
            return INCOMPLETE;
        }
        if (ResponseHeader.magic(in, start) != ResponseHeader.MAGIC) {
            throw new IOException("bad response magic 0x" + Integer.toHexString(ResponseHeader.magic(in, start)));
        }
        long body = ResponseHeader.bodyLength(in, start);
        if (body > Integer.MAX_VALUE - ResponseHeader.LENGTH) {
            throw new IOException("response body of " + body + " bytes");
        }
        int length = ResponseHeader.LENGTH + (int) body;
        if (end - start < length) {
            return INCOMPLETE;
        }
        int status = ResponseHeader.status(in, start);
        int outcome;
        if (status == Status.OK) {
            outcome = ResponseHeader.opcode(in, start) == Opcode.GET ? HIT : STORED;
        } else if (status == Status.NOT_FOUND && ResponseHeader.opcode(in, start) == Opcode.GET) {
            outcome = MISS;
        } else {
            outcome = ERROR;
        }
        return Driver.reply(length, outcome);
    }
}
