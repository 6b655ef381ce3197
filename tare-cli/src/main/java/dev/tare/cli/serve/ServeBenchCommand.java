package dev.tare.cli.serve;

import java.io.PrintWriter;
import picocli.CommandLine;
import dev.tare.serve.Deployment;
import dev.tare.serve.RewardServer;
import dev.tare.serve.bench.LoadTest;
import dev.tare.serve.bench.OpenRlhfBurst;
import dev.tare.serve.bench.OpenRlhfClient;
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
 * each phase lasts at most --seconds plus max(2 s, --request-timeout). With {@code --client openrlhf} it instead sends
 * --clients × --samples samples at once as OpenRLHF v0.11 does ({@link OpenRlhfClient}) and counts the None rewards.
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

    @Option(names = "--client", defaultValue = "load", paramLabel = "load|openrlhf",
            description = "load: capacity then open loop at 1x/2x/4x (default). openrlhf: OpenRLHF v0.11's remote-RM client, every sample "
                    + "at once, one query per POST, 5 tries 1 s apart ignoring Retry-After, 180 s each; reports the samples whose reward would be None.")
    String client;

    @Option(names = "--clients", defaultValue = "64", description = "openrlhf: rollout workers (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--samples", defaultValue = "16", description = "openrlhf: samples per worker, cycling through the body's queries (default: ${DEFAULT-VALUE}).")
    int samples;

    @Override
    public Integer call() throws Exception {
        if (client.equals("openrlhf")) return openRlhf();
        if (!client.equals("load")) throw new IllegalArgumentException("--client must be load or openrlhf, got " + client);
        if (seconds < 1 || seconds > 60) throw new IllegalArgumentException("--seconds must be 1..60");
        if (maxRequests < 1 || maxRequests > 100_000) throw new IllegalArgumentException("--max-requests must be 1..100000");
        if (requestTimeout < 1 || requestTimeout > 600) throw new IllegalArgumentException("--request-timeout must be 1..600");
        Deployment d = Deployment.load(config);
        RewardServer.Options o = d.options();
        o = o.withHost("127.0.0.1").withPort(0).withToken(null);
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

    /** The OpenRLHF burst: clients × samples one-query POSTs at once, with OpenRLHF's retries; counts the None samples. */
    private int openRlhf() throws Exception {
        if (clients < 1 || clients > 4096 || samples < 1 || samples > 4096 || (long) clients * samples > 100_000)
            throw new IllegalArgumentException("--clients and --samples must be 1..4096, at most 100000 samples in all");
        Deployment d = Deployment.load(config);
        RewardServer.Options o = d.options().withHost("127.0.0.1").withPort(0).withToken(null);
        var pool = OpenRlhfBurst.samples(dev.tare.serve.api.Protocols.JSON.readTree(Files.readAllBytes(body)));
        PrintWriter out = spec.commandLine().getOut();
        try (RewardServer server = RewardServer.start(d.pipeline(), o)) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + endpoint);
            var c = new OpenRlhfClient(uri);
            OpenRlhfBurst.run(c, pool.subList(0, Math.min(4, pool.size())), 1, 1); // warm-up
            out.printf("admission %s; queue %d items, batches up to %d; %d workers x %d samples = %d samples at once%n",
                    o.admission().describe(), o.queueCapacityItems(), o.maxBatchItems(), clients, samples, clients * samples);
            OpenRlhfBurst.Result r = OpenRlhfBurst.run(c, pool, clients, samples);
            out.println(r.line());
            out.printf("None (reward lost after OpenRLHF's 5 tries): %d of %d samples%n", r.none(), r.samples());
        }
        return 0;
    }
}
