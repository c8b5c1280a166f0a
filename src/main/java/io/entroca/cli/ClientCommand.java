package io.entroca.cli;

import io.entroca.client.EntrocaClient;
import io.entroca.client.EntrocaException;
import io.entroca.server.Quantities;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code entroca cli}: one request from the shell. Exit status 0 on success, 1 when the key is
 * not found (with a message on stderr), 2 on any other error, with a message that says what went
 * wrong. {@code get} writes the value's bytes to stdout and nothing else, so it pipes.
 */
@Command(name = "cli", mixinStandardHelpOptions = true,
        description = "Send one request to a server from the shell.",
        subcommands = {
            ClientCommand.Ping.class, ClientCommand.Set.class, ClientCommand.Get.class, ClientCommand.Del.class,
            ClientCommand.Touch.class, ClientCommand.Stats.class, ClientCommand.Flush.class})
public final class ClientCommand {
    static final int OK = 0;
    static final int NOT_FOUND = 1;
    static final int ERROR = 2;

    @Option(names = "--host", defaultValue = "127.0.0.1", scope = ScopeType.INHERIT, description = "Server address (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "7400", scope = ScopeType.INHERIT, description = "Any data port of the server, usually the base port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--nodes", paramLabel = "HOST:PORT,...", split = ",", scope = ScopeType.INHERIT,
            description = "Several servers, each HOST:PORT (any data port): keys spread over them by consistent hashing"
                    + " (docs/protocol.md §5.1), in this order. Replaces --host and --port.")
    List<String> nodes;

    @Option(names = "--timeout", defaultValue = "5s", scope = ScopeType.INHERIT, converter = DurationConverter.class,
            description = "Connect and request timeout (default ${DEFAULT-VALUE}).")
    Duration timeout;

    /** Turns every failure into exit status 2 and one line on stderr, never a stack trace. */
    public static CommandLine.IExecutionExceptionHandler errorHandler() {
        return (e, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": "
                    + (e instanceof EntrocaException || e instanceof IllegalArgumentException ? e.getMessage() : e.toString()));
            return ERROR;
        };
    }

    /** Plain numbers are seconds; "500ms", "5m" and the like are read as durations. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim();
            if (v.chars().allMatch(Character::isDigit)) {
                return Duration.ofSeconds(Long.parseLong(v));
            }
            return Quantities.parseDuration(v);
        }
    }

    abstract static class Request implements Callable<Integer> {
        @ParentCommand
        ClientCommand parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** The CLI names a down node in its own one-line message; the client's log would say it twice. */
        private static final java.util.logging.Logger CLIENT_LOG = java.util.logging.Logger.getLogger("io.entroca.client");

        @Override
        public Integer call() throws IOException {
            CLIENT_LOG.setLevel(java.util.logging.Level.SEVERE);
            try (EntrocaClient client = parent.nodes == null || parent.nodes.isEmpty()
                    ? EntrocaClient.connect(parent.host, parent.port, parent.timeout)
                    : EntrocaClient.connectNodes(parent.nodes, parent.timeout)) {
                return run(client, spec.commandLine().getOut(), spec.commandLine().getErr());
            }
        }

        abstract int run(EntrocaClient client, java.io.PrintWriter out, java.io.PrintWriter err) throws IOException;

        static byte[] bytes(String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }

        /** Exit status 0 when the key was there, else 1 with the message every command uses. */
        static int foundOrNotFound(boolean found, String key, java.io.PrintWriter err) {
            if (!found) {
                err.println("entroca cli: " + key + ": not found");
                return NOT_FOUND;
            }
            return OK;
        }
    }

    @Command(name = "ping", description = "Check that every port of the server answers.")
    static final class Ping extends Request {
        @Override
        int run(EntrocaClient client, java.io.PrintWriter out, java.io.PrintWriter err) {
            client.sync();
            List<String> nodes = client.nodes();
            if (nodes.size() == 1) {
                out.println("PONG " + client.serverInfo().portCount() + " ports");
                return OK;
            }
            long up = nodes.stream().filter(client::isUp).count();
            out.println("PONG " + up + "/" + nodes.size() + " nodes up");
            for (String node : nodes) {
                if (!client.isUp(node)) {
                    err.println("entroca cli: node " + node + " is down");
                }
            }
            return up == nodes.size() ? OK : ERROR;
        }
    }

    @Command(name = "set", description = "Store VALUE under KEY; prints the new version.")
    static final class Set extends Request {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Parameters(index = "1", paramLabel = "VALUE")
        String value;
        @Option(names = "--ttl", converter = DurationConverter.class, description = "Time to live: seconds, or a duration such as 500ms or 5m.")
        Duration ttl = Duration.ZERO;

        @Override
        int run(EntrocaClient client, java.io.PrintWriter out, java.io.PrintWriter err) {
            out.println(client.set(bytes(key), bytes(value), ttl));
            return OK;
        }
    }

    @Command(name = "get", description = "Write KEY's value to stdout, byte for byte.")
    static final class Get extends Request {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        int run(EntrocaClient client, java.io.PrintWriter out, java.io.PrintWriter err) throws IOException {
            byte[] value = client.get(bytes(key));
            if (value == null && !client.isUp(client.nodeOf(bytes(key)))) {
                err.println("entroca cli: " + key + ": its node " + client.nodeOf(bytes(key)) + " is down");
                return ERROR;
            }
            if (value == null) {
                return foundOrNotFound(false, key, err);
            }
            PrintStream stdout = System.out;
            stdout.write(value);
            stdout.flush();
            return OK;
        }
    }

    @Command(name = "del", description = "Delete KEY.")
    static final class Del extends Request {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        int run(EntrocaClient client, java.io.PrintWriter out, java.io.PrintWriter err) {
            return foundOrNotFound(client.delete(bytes(key)), key, err);
        }
    }

    @Command(name = "touch", description = "Give KEY a new time to live (0: never expires).")
    static final class Touch extends Request {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Parameters(index = "1", paramLabel = "TTL", converter = DurationConverter.class, description = "Seconds, or a duration such as 500ms or 5m.")
        Duration ttl;

        @Override
        int run(EntrocaClient client, java.io.PrintWriter out, java.io.PrintWriter err) {
            return foundOrNotFound(client.touch(bytes(key), ttl), key, err);
        }
    }

    @Command(name = "stats", description = "Print every port's figures, one 'port.name value' per line ('node/port.name value' with --nodes).")
    static final class Stats extends Request {
        @Override
        int run(EntrocaClient client, java.io.PrintWriter out, java.io.PrintWriter err) {
            List<Map<String, String>> ports = client.stats();
            for (int i = 0; i < ports.size(); i++) {
                Map<String, String> port = ports.get(i);
                // One server: "0.items 12"; a node list: "127.0.0.1:7400/0.items 12".
                String prefix = port.containsKey("node") ? port.get("node") + "/" + port.get("port") : String.valueOf(i);
                for (Map.Entry<String, String> stat : port.entrySet()) {
                    if (!stat.getKey().equals("port") && !stat.getKey().equals("node")) {
                        out.println(prefix + "." + stat.getKey() + " " + stat.getValue());
                    }
                }
            }
            return OK;
        }
    }

    @Command(name = "flush", description = "Remove every entry on every port.")
    static final class Flush extends Request {
        @Override
        int run(EntrocaClient client, java.io.PrintWriter out, java.io.PrintWriter err) {
            client.flush();
            return OK;
        }
    }
}
