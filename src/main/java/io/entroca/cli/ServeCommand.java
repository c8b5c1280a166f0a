package io.entroca.cli;

import io.entroca.server.EntrocaServer;
import io.entroca.server.InvalidConfigException;
import io.entroca.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code entroca serve}: runs the server until SIGTERM or SIGINT. Once every data port accepts
 * connections it prints one line beginning {@code entroca ready}, which scripts wait for.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the server until SIGTERM; prints 'entroca ready bind=.. ports=.. admin=..' once every port accepts.")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration (docs/configuration.md); without it, built-in defaults and ENTROCA_* environment variables.")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        Logging.configure();
        ServerConfig settings;
        try {
            settings = config == null ? ServerConfig.load() : ServerConfig.load(config);
        } catch (InvalidConfigException e) {
            System.err.println("entroca: configuration: " + e.getMessage());
            return 2;
        }
        EntrocaServer server;
        try {
            server = EntrocaServer.start(settings);
        } catch (UncheckedIOException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            System.err.println("entroca: cannot listen on " + settings.bind().getHostAddress() + " ports "
                    + settings.basePort() + "-" + (settings.basePort() + settings.ports() - 1) + " (admin "
                    + settings.adminBind().getHostAddress() + ":" + settings.adminPort() + "): " + cause.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("entroca-shutdown").unstarted(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.println("entroca ready bind=" + settings.bind().getHostAddress() + " ports="
                + server.dataPorts().stream().map(String::valueOf).collect(Collectors.joining(","))
                + " admin=" + server.adminPort());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
