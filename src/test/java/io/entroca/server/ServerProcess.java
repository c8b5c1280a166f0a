package io.entroca.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server as its own process, the way an operator runs it: same main class, same class path
 * as the tests, a config file, environment variables. Stopped by SIGTERM, and killed if it
 * outlives the test.
 */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final CompletableFuture<String> readyLine = new CompletableFuture<>();
    private final StringBuffer stdout = new StringBuffer();
    private final Path stderrFile;

    private ServerProcess(Process process, Path stderrFile) {
        this.process = process;
        this.stderrFile = stderrFile;
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    stdout.append(line).append('\n');
                    if (line.startsWith("entroca ready")) {
                        readyLine.complete(line);
                    }
                }
            } catch (IOException ignored) {
                // The process ended.
            }
            readyLine.completeExceptionally(new IllegalStateException("server exited before it was ready"));
        });
    }

    /** Runs {@code io.entroca.Main} with the given arguments in a child JVM. */
    public static ServerProcess start(Map<String, String> environment, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.entroca.Main");
        command.addAll(List.of(arguments));
        Path stderr = Files.createTempFile("entroca-server", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        // The admin listener takes any free port unless the test chooses one: tests run side by side.
        builder.environment().put("ENTROCA_ADMIN_dash_PORT", "0");
        builder.environment().putAll(environment);
        return new ServerProcess(builder.start(), stderr);
    }

    /** The "entroca ready ..." line, once the server printed it. */
    public String awaitReady() throws Exception {
        return readyLine.get(30, TimeUnit.SECONDS);
    }

    /** Sends SIGTERM and returns the exit status. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("server did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("process did not exit within 30 s");
        }
        return process.exitValue();
    }

    /** Sends a signal by name ("STOP", "CONT") to this process, the one the test started. */
    public void signal(String name) throws IOException, InterruptedException {
        int status = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
        if (status != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " exited " + status);
        }
        if (name.equals("STOP")) {
            awaitStopped();
        }
    }

    /**
     * kill returns once SIGSTOP is sent, but a thread running on another CPU stops only when the
     * kernel gets to it: until every thread of the process shows state T, a request sent now may
     * still be answered (seen once, in a test that froze a node).
     */
    private void awaitStopped() throws IOException, InterruptedException {
        Path tasks = Path.of("/proc", String.valueOf(process.pid()), "task");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean allStopped = true;
            try (var threads = java.nio.file.Files.list(tasks)) {
                for (Path task : (Iterable<Path>) threads::iterator) {
                    String stat;
                    try {
                        stat = java.nio.file.Files.readString(task.resolve("stat"));
                    } catch (java.nio.file.NoSuchFileException ended) {
                        continue;
                    }
                    // The state is the field after the parenthesised command name.
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    allStopped &= state == 'T' || state == 't';
                }
            }
            if (allStopped) {
                return;
            }
            Thread.sleep(1);
        }
        throw new IOException("process " + process.pid() + " did not stop within 5 s of SIGSTOP");
    }

    /** The child's resident memory, from /proc (Linux), in bytes. */
    public long residentBytes() throws IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + process.pid());
    }

    public String stdout() {
        return stdout.toString();
    }

    public String stderr() throws IOException {
        return Files.readString(stderrFile);
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(stderrFile);
    }
}
