package dev.tare.cli.serve;

import dev.tare.cli.TareCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** `tare serve bench` on a verifiable-only (GSM8K) deployment: a capacity phase, then 1x/2x/4x phases whose counts add up. */
class ServeBenchCommandTest {
    @TempDir Path tmp;

    private static final Pattern LINE = Pattern.compile(
            "^(\\S+)\\s+offered\\s+(\\S+) req/s\\s+sent\\s+(\\d+)\\s+ok\\s+(\\d+)\\s+429/503\\s+(\\d+)\\s+err\\s+(\\d+)\\s+timeout\\s+(\\d+)\\s+goodput\\s+([\\d.]+) req/s\\s+p50\\s+(\\S+) ms\\s+p99\\s+(\\S+) ms$");

    @Test
    void openRlhfClientModeCountsTheSamplesThatWouldEndAsNone() throws Exception {
        Files.writeString(tmp.resolve("deploy.json"), """
                {"sources": [{"type": "gsm8k", "on_missing_label": "zero"}], "batch": {"max_items": 4, "queue_items": 8},
                 "admission": {"mode": "queue", "max_wait_s": 30}}""");
        Files.writeString(tmp.resolve("body.json"), """
                {"query": ["Q: 6*7?\\nThe answer is 42.<|eot_id|>", "Q: 6*7?\\nIt is 41.<|eot_id|>"],
                 "prompts": ["Q: 6*7?\\n", "Q: 6*7?\\n"], "labels": ["#### 42", ""]}""");
        var stdout = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var cl = TareCli.commandLine();
        cl.setOut(new PrintWriter(stdout, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute("serve", "bench", "--client", "openrlhf", "--clients", "8", "--samples", "4",
                "--config", tmp.resolve("deploy.json").toString(), "--body", tmp.resolve("body.json").toString());
        String out = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, err + out);
        assertTrue(out.contains("admission queue (max_wait_s 30); queue 8 items, batches up to 4; 8 workers x 4 samples = 32 samples at once"), out);
        Matcher m = Pattern.compile("openrlhf\\s+samples\\s+(\\d+)\\s+rewarded\\s+(\\d+) \\(first try\\s+(\\d+), after retries\\s+(\\d+)\\)\\s+None\\s+(\\d+)").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(32, Integer.parseInt(m.group(1)));
        assertEquals(32, Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(5)), out);
        assertEquals(0, Integer.parseInt(m.group(5)), "4x the queue, held by queue admission: no None; " + out);
        assertTrue(out.contains("None (reward lost after OpenRLHF's 5 tries): 0 of 32 samples"), out);
    }

    @Test
    void benchPrintsCapacityAndThreeLoadPhasesWithConsistentCounts() throws Exception {
        Files.writeString(tmp.resolve("deploy.json"), """
                {"sources": [{"type": "gsm8k"}], "batch": {"max_items": 64, "queue_items": 256}}""");
        Files.writeString(tmp.resolve("body.json"), """
                {"query": ["Q: 6*7?\\nThe answer is 42.<|eot_id|>", "Q: 6*7?\\nIt is 41.<|eot_id|>"],
                 "prompts": ["Q: 6*7?\\n", "Q: 6*7?\\n"], "labels": ["#### 42", "42"]}""");
        int maxRequests = 40;
        var stdout = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int rc;
        long t0 = System.nanoTime();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            var cl = TareCli.commandLine();
            cl.setErr(new PrintWriter(err, true));
            rc = cl.execute("serve", "bench", "--config", tmp.resolve("deploy.json").toString(), "--body", tmp.resolve("body.json").toString(),
                    "--seconds", "1", "--max-requests", Integer.toString(maxRequests), "--concurrency", "4", "--request-timeout", "2");
        } finally {
            System.setOut(old);
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        // warm-up (1 s) + capacity + 3 load phases (1 s each), each followed by at most max(2 s, 2 s) of drain, + start-up slack
        assertTrue(elapsed < 5 * (1 + 2) + 10, "bench run bounded by its phases and drain limits: " + elapsed + " s");
        String out = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, err + out);
        List<String> names = new ArrayList<>();
        double capacity = 0;
        double[] goodput = new double[3];
        for (String line : out.lines().toList()) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) continue;
            String name = m.group(1);
            int sent = Integer.parseInt(m.group(3)), ok = Integer.parseInt(m.group(4)), rej = Integer.parseInt(m.group(5)), errs = Integer.parseInt(m.group(6)),
                    timeouts = Integer.parseInt(m.group(7));
            names.add(name);
            assertEquals(sent, ok + rej + errs + timeouts, "every request is ok, rejected, an error or a timeout: " + line);
            assertTrue(sent >= 1 && sent <= maxRequests, "phases are bounded by --max-requests: " + line);
            assertEquals(0, errs + timeouts, "a valid body against a verifiable deployment never errors: " + line);
            assertTrue(ok > 0, line);
            double gp = Double.parseDouble(m.group(8));
            assertTrue(gp > 0, line);
            assertTrue(Double.parseDouble(m.group(9)) <= Double.parseDouble(m.group(10)), "p50 <= p99: " + line);
            if (name.equals("capacity")) {
                assertEquals("closed", m.group(2), "the capacity phase is a closed loop");
                capacity = gp;
            } else {
                int mult = Integer.parseInt(name.substring(0, name.length() - 1));
                assertEquals(mult * capacity, Double.parseDouble(m.group(2)), 0.05 * mult + 0.051,
                        "offered load is the multiple of capacity: " + line);
                goodput[Integer.numberOfTrailingZeros(mult)] = gp;
            }
        }
        assertEquals(List.of("capacity", "1x", "2x", "4x"), names, out);
        Matcher summary = Pattern.compile("capacity ([\\d.]+) req/s; goodput at 1x/2x/4x: ([\\d.]+) / ([\\d.]+) / ([\\d.]+) req/s").matcher(out);
        assertTrue(summary.find(), out);
        assertEquals(capacity, Double.parseDouble(summary.group(1)), 0.051);
        for (int i = 0; i < 3; i++) assertEquals(goodput[i], Double.parseDouble(summary.group(2 + i)), 0.051, "summary matches phase " + i);
    }
}
