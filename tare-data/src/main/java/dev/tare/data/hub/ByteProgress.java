package dev.tare.data.hub;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A download's progress bar on stderr: bytes of total, rate and ETA; redrawn in place on a terminal (at most 10 times
 * a second), otherwise a line every 10 s and one at the end. Bytes already on disk (a resumed download) count toward
 * the total but not the rate.
 */
final class ByteProgress {
    private final String label;
    private final PrintStream out;
    private final boolean terminal;
    private final long total;
    private final long start;
    private final long resumed;
    private long done;
    private long lastDraw;

    ByteProgress(String label, long total, long resumed, PrintStream out) {
        this.label = label;
        this.total = total;
        this.resumed = resumed;
        this.done = resumed;
        this.out = out;
        var console = System.console();
        this.terminal = console != null && console.isTerminal();
        this.start = System.nanoTime();
        this.lastDraw = start;
    }

    void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastDraw >= (terminal ? 100_000_000L : 10_000_000_000L)) {
            lastDraw = now;
            draw(now, false);
        }
    }

    void finish() { draw(System.nanoTime(), true); }

    String line(long now) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = (done - resumed) / secs;
        StringBuilder sb = new StringBuilder(label).append(' ').append(mb(done));
        if (total >= 0) {
            double frac = total == 0 ? 1 : Math.min(1, (double) done / total);
            int width = 24, filled = (int) Math.floor(frac * width);
            sb.append('/').append(mb(total)).append(String.format(Locale.ROOT, " %3d%% [", (int) Math.floor(frac * 100)))
              .append("#".repeat(filled)).append(".".repeat(width - filled)).append(']');
        }
        sb.append(' ').append(mb((long) rate)).append("/s");
        if (total >= 0 && done < total) {
            sb.append(" ETA ").append(rate > 0 ? clock(Math.round((total - done) / rate)) : "?");
        } else {
            sb.append(" in ").append(clock(Math.round(secs)));
        }
        if (resumed > 0) sb.append(" (resumed at ").append(mb(resumed)).append(')');
        return sb.toString();
    }

    private void draw(long now, boolean last) {
        if (out == null) return;
        String l = line(now);
        if (terminal) out.print("\r\033[K" + l + (last ? "\n" : ""));
        else out.println(l);
        out.flush();
    }

    private static String mb(long bytes) {
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f kB", bytes / 1024.0);
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }

    private static String clock(long s) {
        long h = s / 3600, m = (s % 3600) / 60, x = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, x) : String.format(Locale.ROOT, "%d:%02d", m, x);
    }
}
