package io.entroca.server;

import io.entroca.protocol.Handshake;
import io.entroca.protocol.RequestHeader;
import io.entroca.protocol.ResponseHeader;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A socket that speaks the protocol by hand, so tests can send what no client library would. */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    /** One response, as read off the wire. */
    record Response(int opcode, int status, int opaque, long version, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    RawConnection(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    static RawConnection afterHandshake(int port) throws IOException {
        RawConnection connection = new RawConnection(port);
        connection.send(Handshake.clientHello(Handshake.VERSION));
        byte[] head = connection.readFully(Handshake.SERVER_HEAD_LENGTH);
        connection.readFully((int) Handshake.serverBodyLength(head));
        return connection;
    }

    /** How long a read waits before SocketTimeoutException (10 s unless set). */
    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    static byte[] request(int opcode, int flags, byte[] key, byte[] value, int opaque, long hash) {
        return request(opcode, flags, key.length, value.length, key, value, opaque, hash);
    }

    /** A request whose length fields may disagree with the bytes that follow. */
    static byte[] request(int opcode, int flags, int keyLength, long valueLength, byte[] key, byte[] value, int opaque, long hash) {
        byte[] frame = new byte[RequestHeader.LENGTH + key.length + value.length];
        RequestHeader.write(frame, 0, opcode, flags, keyLength, (int) valueLength, opaque, 0, hash, 0);
        System.arraycopy(key, 0, frame, RequestHeader.LENGTH, key.length);
        System.arraycopy(value, 0, frame, RequestHeader.LENGTH + key.length, value.length);
        return frame;
    }

    byte[] readFully(int length) throws IOException {
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    Response read() throws IOException {
        byte[] head = readFully(ResponseHeader.LENGTH);
        byte[] body = readFully((int) ResponseHeader.bodyLength(head, 0));
        return new Response(ResponseHeader.opcode(head, 0), ResponseHeader.status(head, 0),
                ResponseHeader.opaque(head, 0), ResponseHeader.version(head, 0), body);
    }

    /** True when the server closed the connection (EOF) before the timeout. */
    boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // Drain whatever was still on its way.
            }
            return true;
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
