package io.entroca.server;

import io.entroca.client.EntrocaClient;
import io.entroca.client.EntrocaException;
import io.entroca.store.Store;
import io.entroca.store.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Connections wait for their owner with an untimed park, so an owner thread that dies must wake
 * them: the request it was executing and any request sent after it died are answered BUSY at
 * once, never left waiting.
 */
@Timeout(30)
class OwnerExitTest {
    private static final byte[] FATAL = "kill-the-owner".getBytes(StandardCharsets.US_ASCII);

    /** An Error, not a RuntimeException: the owner does not survive it. */
    static final class OwnerKilled extends Error {
        OwnerKilled() {
            super("test: the store fails fatally on key 'kill-the-owner'", null, false, false);
        }
    }

    private static Store dyingOn(Store real) {
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("find") && args[1] instanceof byte[] key) {
                        int offset = (int) args[2];
                        int length = (int) args[3];
                        if (Arrays.equals(key, offset, offset + length, FATAL, 0, FATAL.length)) {
                            throw new OwnerKilled();
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aDeadOwnerAnswersBusyInsteadOfLeavingConnectionsWaiting() {
        ServerConfig config = TestServers.config(1, Map.of());
        try (EntrocaServer server = EntrocaServer.start(config, c -> dyingOn(Stores.open(c)));
             EntrocaClient client = EntrocaClient.connect("127.0.0.1", config.basePort(), Duration.ofSeconds(10))) {
            client.set(new byte[] {'a'}, new byte[] {'1'});
            assertArrayEquals(new byte[] {'1'}, client.get(new byte[] {'a'}));
            // The batch the owner dies on: its connection is woken and answered BUSY.
            assertThrows(EntrocaException.Busy.class, () -> client.get(FATAL));
            // A batch offered after the owner died: the connection sees it gone and answers BUSY.
            try (EntrocaClient late = EntrocaClient.connect("127.0.0.1", config.basePort(), Duration.ofSeconds(10))) {
                assertThrows(EntrocaException.Busy.class, () -> late.get(new byte[] {'a'}));
            }
        }
    }
}
