package dev.tare.cli.serve;

import java.io.PrintWriter;
import picocli.CommandLine;
import dev.tare.serve.Deployment;
import dev.tare.serve.RewardServer;
import dev.tare.serve.bench.LoadTest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * `tare serve bench`: starts the configured server on a loopback port and measures it: capacity with a closed
 * loop, then throughput and p50/p99 latency with open-loop load at 1x, 2x and 4x capacity. Bounded in requests and time:
 * each phase lasts at most --seconds plus max(2 s, --request-timeout).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load benchmark on loopback: capacity, then goodput and p50/p99 latency at 1x, 2x, 4x capacity.")
public final class ServeBenchCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Deployment config (JSON); host/port are ignored.")
    Path config;

    @Option(names = "--body", required = true, paramLabel = "FILE", description = "Request body (JSON) each simulated client sends to the endpoint.")
    Path body;

    @Option(names = "--endpoint", defaultValue = "/get_reward", description = "Endpoint to load (default: ${DEFAULT-VALUE}).")
    String endpoint;

    @Option(names = "--seconds", defaultValue = "5", description = "Duration of each phase (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--max-requests", defaultValue = "5000", description = "Request cap per phase (default: ${DEFAULT-VALUE}).")
    int maxRequests;

    @Option(names = "--request-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Client timeout per request; a phase waits at most max(2 s, this) past its duration for requests in flight, "
                    + "and counts those still unanswered as timeouts (default: ${DEFAULT-VALUE}).")
    int requestTimeout;

    @Option(names = "--concurrency", defaultValue = "16", description = "Clients in the capacity phase (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || seconds > 60) throw new IllegalArgumentException("--seconds must be 1..60");
        if (maxRequests < 1 || maxRequests > 100_000) throw new IllegalArgumentException("--max-requests must be 1..100000");
        if (requestTimeout < 1 || requestTimeout > 600) throw new IllegalArgumentException("--request-timeout must be 1..600");
        Deployment d = Deployment.load(config);
        RewardServer.Options o = d.options();
        o = new RewardServer.Options("127.0.0.1", 0, o.limits(), null, o.queueCapacityItems(), o.maxBatchItems(), o.maxWait(), o.workers(), o.requestTimeout());
        byte[] b = Files.readAllBytes(body);
        PrintWriter out = spec.commandLine().getOut();
        try (RewardServer server = RewardServer.start(d.pipeline(), o)) {
            LoadTest lt = new LoadTest(URI.create("http://127.0.0.1:" + server.port() + endpoint), b, Duration.ofSeconds(requestTimeout));
            lt.closedLoop(Math.min(4, concurrency), Duration.ofSeconds(1), 200); // warm-up
            LoadTest.Phase cap = lt.closedLoop(concurrency, Duration.ofSeconds(seconds), maxRequests);
            out.println(cap.line());
            if (cap.ok() == 0) throw new IllegalStateException("no successful request in the capacity phase; check --body against the config");
            List<LoadTest.Phase> phases = new ArrayList<>();
            for (int mult : new int[]{1, 2, 4}) {
                LoadTest.Phase p = lt.openLoop(mult + "x", mult * cap.okPerSec(), Duration.ofSeconds(seconds), maxRequests);
                phases.add(p);
                out.println(p.line());
            }
            out.printf("capacity %.1f req/s; goodput at 1x/2x/4x: %.1f / %.1f / %.1f req/s; p99 at 1x/2x/4x: %.1f / %.1f / %.1f ms%n",
                    cap.okPerSec(), phases.get(0).okPerSec(), phases.get(1).okPerSec(), phases.get(2).okPerSec(),
                    phases.get(0).p99ms(), phases.get(1).p99ms(), phases.get(2).p99ms());
        }
        return 0;
    }
}
