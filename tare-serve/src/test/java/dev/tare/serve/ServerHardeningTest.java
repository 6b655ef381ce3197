package dev.tare.serve;

import dev.tare.data.Message;
import dev.tare.scorers.RewardScorer;
import dev.tare.serve.source.BbqLetterSource;
import dev.tare.serve.source.ModelSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/** Connection- and worker-level hostile cases: half-open connections, a worker stuck on one batch, shutdown under load, batch bounds. */
class ServerHardeningTest {
    private RewardServer server;
    /** The clients' threads (not the common pool: on a 2-core machine it has one thread). */
    private final java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        if (server != null) server.close();
        clients.shutdownNow();
    }

    /** A scorer that burns CPU for {@code millis} ignoring interrupts (a forward pass on a huge input), unless released. */
    static final class Spinning implements RewardScorer {
        final long millis;
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicBoolean release = new AtomicBoolean();

        Spinning(long millis) { this.millis = millis; }

        @Override public String name() { return "spinning"; }

        @Override public double[] score(List<List<Message>> conversations) {
            started.countDown();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < end && !release.get()) Thread.onSpinWait();
            return new double[conversations.size()];
        }
    }

    private static RewardPipeline pipeline(RewardScorer scorer) {
        return new RewardPipeline(List.of(new RewardPipeline.Weighted(new ModelSource(scorer), 1.0)), List.of());
    }

    private static final String ONE_ITEM = "{\"items\": [{\"response\": \"abcd\"}]}";

    @Test
    void healthReportsAWorkerBusyOnOneBatchPastTheBound() throws Exception {
        Spinning slow = new Spinning(20_000);
        server = RewardServer.start(pipeline(slow), RewardServer.Options.defaults().withPort(0).withStuckAfter(Duration.ofMillis(500)));
        int port = server.port();
        try {
            assertEquals("200", ServerCatalogueTest.exchange(server.port(), "GET", "/health", null)[0], "idle: ok");
            CompletableFuture.runAsync(() -> {
                try { ServerCatalogueTest.exchange(port, "POST", "/v1/reward", ONE_ITEM); } catch (Exception ignored) { }
            }, clients);
            assertTrue(slow.started.await(10, TimeUnit.SECONDS));
            assertEquals("200", ServerCatalogueTest.exchange(server.port(), "GET", "/health", null)[0], "busy within the bound: ok");
            Thread.sleep(1_000);
            String[] h = ServerCatalogueTest.exchange(server.port(), "GET", "/health", null);
            assertEquals("503", h[0], h[1]);
            assertTrue(h[1].contains("busy on one batch") && h[1].contains("over the bound of 0.5 s"), h[1]);
        } finally {
            slow.release.set(true);
        }
    }

    @Test
    void closeIsPromptWithABatchThatWillNotEndAndFailsItsRequests() throws Exception {
        Spinning stuck = new Spinning(20_000);
        server = RewardServer.start(pipeline(stuck), RewardServer.Options.defaults().withPort(0));
        int port = server.port();
        try {
            var inFlight = CompletableFuture.supplyAsync(() -> {
                try { return ServerCatalogueTest.exchange(port, "POST", "/v1/reward", ONE_ITEM); } catch (Exception e) { throw new RuntimeException(e); }
            }, clients);
            var queued = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(300); // behind the stuck batch
                    return ServerCatalogueTest.exchange(port, "POST", "/v1/reward", ONE_ITEM);
                } catch (Exception e) { throw new RuntimeException(e); }
            }, clients);
            assertTrue(stuck.started.await(10, TimeUnit.SECONDS));
            Thread.sleep(600);
            long t0 = System.nanoTime();
            server.close();
            double secs = (System.nanoTime() - t0) / 1e9;
            server = null;
            assertTrue(secs < 8, "close took " + secs + " s with a batch that will not end");
            for (var f : List.of(inFlight, queued)) {
                String[] r = f.get(5, TimeUnit.SECONDS);
                assertEquals("503", r[0], r[1]);
                assertTrue(r[1].contains("server shut down before the batch finished"), r[1]);
            }
        } finally {
            stuck.release.set(true);
        }
    }

    @Test
    void batchesMergeAtMostTheCharacterBudgetAndAHeavyRequestRunsAlone() throws Exception {
        List<Integer> batchSizes = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch gate = new CountDownLatch(1);
        var batcher = new DynamicBatcher<String, Integer>(items -> {
            try { gate.await(); } catch (InterruptedException e) { throw new RuntimeException(e); }
            batchSizes.add(items.size());
            return items.stream().map(String::length).toList();
        }, 100, 32, Duration.ofMillis(200), 1, new ServerMetrics(), Duration.ZERO, s -> s.length(), 10);
        try {
            var first = batcher.submit(List.of("x")); // occupies the worker until the gate opens
            Thread.sleep(300);
            var a = batcher.submit(List.of("aaaa", "bbbb")); // 8 chars
            var b = batcher.submit(List.of("cccc"));         // +4 = 12 > 10: next batch
            var c = batcher.submit(List.of("d".repeat(25))); // heavier than the budget: runs alone
            gate.countDown();
            assertEquals(List.of(1), first.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(4, 4), a.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(4), b.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(25), c.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(1, 2, 1, 1), batchSizes);
        } finally {
            batcher.close();
        }
    }

    /**
     * 50 half-open connections (a partial request line and one header, then nothing) are closed once the read timeout
     * (2 s here) passes, and a normal request still succeeds. Run in a fresh JVM: the JDK server reads its connection
     * settings once per JVM, and other tests in this one may have started an HTTP server first.
     */
    @Test
    void halfOpenConnectionsAreClosedAfterTheReadTimeout() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), HalfOpenServer.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertNotNull(line, "the child server printed no port");
            int port = Integer.parseInt(line.strip());
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    s.getOutputStream().write("POST /v1/reward HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    sockets.add(s);
                }
                long t0 = System.nanoTime();
                int closed = 0;
                for (Socket s : sockets) {
                    long left = Math.max(1, 12_000 - (System.nanoTime() - t0) / 1_000_000);
                    s.setSoTimeout((int) left);
                    try {
                        assertEquals(-1, s.getInputStream().read(), "a half-open connection got bytes back");
                        closed++;
                    } catch (SocketException reset) {
                        closed++;
                    } catch (SocketTimeoutException held) {
                        fail("half-open connection " + sockets.indexOf(s) + " still held after " + (System.nanoTime() - t0) / 1e9 + " s");
                    }
                }
                assertEquals(50, closed);
                String[] r = ServerCatalogueTest.exchange(port, "POST", "/get_reward",
                        "{\"query\": [\"A\"], \"prompts\": [\"\"], \"labels\": [\"A\"]}");
                assertEquals("200", r[0], r[1]);
            } finally {
                for (Socket s : sockets) try { s.close(); } catch (IOException ignored) { }
            }
        } finally {
            child.destroy();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The child JVM of {@link #halfOpenConnectionsAreClosedAfterTheReadTimeout}: a server with a 2 s read timeout, its port on stdout. */
    public static final class HalfOpenServer {
        public static void main(String[] args) throws Exception {
            var pipeline = new RewardPipeline(List.of(new RewardPipeline.Weighted(new BbqLetterSource(0, -0.1), 1.0)), List.of());
            RewardServer s = RewardServer.start(pipeline, RewardServer.Options.defaults().withPort(0).withConnections(Duration.ofSeconds(2), 1024));
            System.out.println(s.port());
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(2));
            s.close();
        }
    }
}
