package dev.tare.serve.bench;

import dev.tare.testkit.LoopbackServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** Load phases against loopback servers that answer, refuse, or stall mid-response: counts add up, time stays bounded. */
class LoadTestTest {
    private LoopbackServer server;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) server.close();
    }

    /** mode "ok": 200 at once; "stall": 200 headers and one body byte, then nothing until the test ends. */
    private URI start(String mode, AtomicInteger hits) throws Exception {
        server = LoopbackServer.raw(ex -> {
            hits.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            if (mode.equals("ok")) {
                ex.sendResponseHeaders(200, 2);
                try (OutputStream os = ex.getResponseBody()) { os.write("{}".getBytes()); }
                return;
            }
            ex.sendResponseHeaders(200, 0); // chunked: the client's request timeout no longer applies to the body
            OutputStream os = ex.getResponseBody();
            os.write('{');
            os.flush();
            try { release.await(60, TimeUnit.SECONDS); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            ex.close();
        });
        return server.base().resolve("/r");
    }

    @Test
    void requestsStillInFlightAtTheCutoffAreCountedAsTimeoutsAndThePhaseEndsOnTime() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        LoadTest lt = new LoadTest(start("stall", hits), "{}".getBytes(), Duration.ofSeconds(1));
        assertEquals(Duration.ofSeconds(2), lt.drainLimit(), "drain limit is max(2 s, request timeout)");
        long t0 = System.nanoTime();
        LoadTest.Phase p = lt.closedLoop(3, Duration.ofSeconds(1), 100);
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(secs >= 2.9 && secs < 1 + 2 + 2, "1 s phase + 2 s drain, not the 60 s stall: " + secs + " s; " + p.line());
        assertEquals(3, p.sent(), "each closed-loop client is stuck on its first request: " + p.line());
        assertEquals(3, p.timeouts(), p.line());
        assertEquals(0, p.ok() + p.rejected() + p.errors(), p.line());
        assertTrue(p.line().contains("timeout   3"), p.line());

        t0 = System.nanoTime();
        p = lt.openLoop("1x", 4, Duration.ofSeconds(1), 100);
        secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(secs < 1 + 2 + 2, "open loop bounded too: " + secs + " s; " + p.line());
        assertEquals(4, p.sent(), p.line());
        assertEquals(4, p.timeouts(), p.line());
        assertEquals(0, p.ok(), p.line());
    }

    @Test
    void aFastServerHasNoTimeoutsAndCountsAddUp() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        LoadTest lt = new LoadTest(start("ok", hits), "{}".getBytes(), Duration.ofSeconds(5));
        assertEquals(Duration.ofSeconds(5), lt.drainLimit());
        LoadTest.Phase p = lt.openLoop("1x", 20, Duration.ofSeconds(1), 10);
        assertEquals(10, p.sent(), "capped by max requests: " + p.line());
        assertEquals(10, p.ok(), p.line());
        assertEquals(0, p.timeouts() + p.errors() + p.rejected(), p.line());
        assertEquals(10, hits.get(), "the server saw every request");
        assertTrue(p.p50ms() <= p.p99ms(), p.line());
    }
}
