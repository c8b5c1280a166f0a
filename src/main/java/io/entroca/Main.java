package io.entroca;

import io.entroca.bench.BenchCommand;
import io.entroca.cli.ClientCommand;
import io.entroca.cli.ServeCommand;
import io.entroca.sim.SimCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command-line entry: {@code serve}, {@code cli}, {@code bench} and {@code sim} are
 * subcommands of one jar, so an operator carries one file and one launcher.
 */
@Command(name = "entroca",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A key-value cache server: client-routed, thread per port, off-heap.",
        subcommands = {ServeCommand.class, ClientCommand.class, BenchCommand.class, SimCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The whole command tree; tests run subcommands through it in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(ClientCommand.errorHandler());
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"entroca " + (version == null ? "(development build)" : version)};
        }
    }
}
