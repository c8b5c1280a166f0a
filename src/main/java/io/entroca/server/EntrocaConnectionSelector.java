package io.entroca.server;

import io.entroca.protocol.Handshake;
import io.entroca.protocol.RequestValidator;
import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.util.Set;

/**
 * Plugs the Entroca protocol into one Helidon listener. Each data port has exactly one selector,
 * so Helidon hands every accepted connection straight to {@link #connection} without reading a
 * byte; the handshake is checked by the connection itself.
 */
final class EntrocaConnectionSelector implements ServerConnectionSelector {
    private final PortOwner owner;
    private final RequestValidator validator;
    private final int batchRequests;
    private final FrameMemory frameMemory;

    EntrocaConnectionSelector(PortOwner owner, ServerConfig config, FrameMemory frameMemory) {
        this.owner = owner;
        this.frameMemory = frameMemory;
        this.validator = new RequestValidator(config.serverInfo(owner.portIndex()));
        this.batchRequests = config.batchRequests();
    }

    @Override
    public int bytesToIdentifyConnection() {
        return Handshake.MAGIC.length;
    }

    /** Only consulted when a listener has several protocols; ours is alone on its port. */
    @Override
    public Support supports(BufferData data) {
        for (byte b : Handshake.MAGIC) {
            if (data.read() != (b & 0xFF)) {
                return Support.UNSUPPORTED;
            }
        }
        return Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of();
    }

    @Override
    public ServerConnection connection(ConnectionContext context) {
        return new EntrocaConnection(context, owner, validator, batchRequests, frameMemory);
    }
}
