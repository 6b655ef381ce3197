package dev.tare.core;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** The progress bar's line (count, rate, ETA), its drawing schedule on a terminal and off one. */
class ProgressTest {
    @Test void progressLineShowsCountRateAndEta() {
        AtomicLong now = new AtomicLong(0);
        var buf = new ByteArrayOutputStream();
        var p = new Progress("score", 1000, new PrintStream(buf, true), false, Duration.ofSeconds(10), now::get);
        p.resumedAt(100);
        now.set(5_000_000_000L);
        p.advance(150); // 150 new items in 5 s = 30/s; 750 left = 25 s
        assertEquals("", buf.toString(), "not due yet on a non-terminal");
        assertEquals("score 250/1000  25% [######..................] 30.0 it/s ETA 0:25", p.line(now.get()));
        now.set(10_000_000_000L);
        p.advance(150);
        assertEquals("score 400/1000  40% [#########...............] 30.0 it/s ETA 0:20\n", buf.toString());
        now.set(4_000_000_000_000L);
        p.setTotal(-1);
        assertTrue(p.line(now.get()).startsWith("score 400 0.1 it/s elapsed 1:06:40"), p.line(now.get()));
        p.close();
        p.close();
        assertEquals(2, buf.toString().lines().count(), "close draws once");
        var tty = new ByteArrayOutputStream();
        var t = new Progress("x", 10, new PrintStream(tty, true), true, Duration.ofSeconds(10), now::get);
        now.addAndGet(200_000_000L);
        t.advance(10);
        t.close();
        assertTrue(tty.toString().startsWith("\r\033[Kx 10/10 100%"), tty.toString());
        assertTrue(tty.toString().endsWith("\n"));
    }

    @Test void updateSetsTheCountOfAPhase() {
        AtomicLong now = new AtomicLong(0);
        var buf = new ByteArrayOutputStream();
        var p = new Progress("phase", 8, new PrintStream(buf, true), false, Duration.ofSeconds(10), now::get);
        now.set(2_000_000_000L);
        p.update(4);
        assertEquals(4, p.count());
        assertEquals("phase 4/8  50% [############............] 2.0 it/s ETA 0:02", p.line(now.get()));
        p.update(8);
        p.close();
        assertEquals("phase 8/8 100% [########################] 4.0 it/s elapsed 0:02\n", buf.toString());
    }
}
