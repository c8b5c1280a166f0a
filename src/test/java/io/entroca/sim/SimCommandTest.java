package io.entroca.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entroca.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimCommandTest {

    @Test
    void printsOneRowPerSizeAndPolicyAndWritesAPlot(@TempDir Path tmp) throws Exception {
        var bytes = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        Path png = tmp.resolve("plot.png");
        int code;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            code = Main.commandLine().execute("sim", "--synthetic", "zipf:2000:0.9:20000",
                    "--sizes", "50,200", "--policies", "lru,thermo,opt", "--plot", png.toString());
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, code);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("| size | policy | hit ratio % |"), out);
        long rows = out.lines().filter(l -> l.matches("\\| \\d+ \\| \\w+ \\| [0-9.]+ \\|")).count();
        assertEquals(6, rows, out);
        assertTrue(Files.size(png) > 1000, "plot written");
    }
}
