package dev.tare.core;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * tare's one progress bar for long work: count (of total, when known), rate in items/s and ETA. On a terminal it
 * redraws one line in place (at most 10 times a second); otherwise (logs, pipes, CI) it prints a plain line every
 * {@code interval} and once at the end. Thread-safe. Counted with {@link #advance} (items finished) or
 * {@link #update} (items done so far); {@link #close} draws the final state.
 */
public final class Progress implements AutoCloseable {
    private final String label;
    private final PrintStream out;
    private final boolean terminal;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final long startNanos;
    private long total;
    private long count;
    private long baseline;
    private long lastDraw;
    private boolean closed;
    private String detail = "";

    public Progress(String label, long total, PrintStream out, boolean terminal, Duration interval, LongSupplier nanoClock) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.terminal = terminal;
        this.intervalNanos = terminal ? 100_000_000L : interval.toNanos();
        this.clock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.lastDraw = startNanos;
    }

    /**
     * A bar on stderr: redrawn in place when stderr is a terminal, a line every 10 s otherwise, nothing at all
     * when TARE_PROGRESS=0. {@code total} &lt; 0 means unknown.
     */
    public static Progress stderr(String label, long total) { return on(System.err, label, total); }

    /**
     * A bar on {@code out}, as {@link #stderr} (in place only when {@code out} is stderr and stderr is a terminal;
     * nothing when TARE_PROGRESS=0).
     */
    public static Progress on(PrintStream out, String label, long total) {
        boolean off = "0".equals(System.getenv("TARE_PROGRESS"));
        var console = System.console();
        boolean tty = out == System.err && console != null && console.isTerminal();
        PrintStream sink = off ? new PrintStream(java.io.OutputStream.nullOutputStream()) : out;
        return new Progress(label, total, sink, tty, Duration.ofSeconds(10), System::nanoTime);
    }

    /** Counts items already done before this session (e.g. resumed); they do not enter the rate. */
    public synchronized void resumedAt(long done) {
        count = done;
        baseline = done;
    }

    public synchronized void setTotal(long total) { this.total = total; }

    /** Status text shown after the count (e.g. a running loss); empty for none. */
    public synchronized void setDetail(String detail) { this.detail = detail == null ? "" : detail; }

    public synchronized long count() { return count; }

    /** Adds {@code n} finished items and redraws when due. */
    public synchronized void advance(long n) {
        count += n;
        long now = clock.getAsLong();
        if (now - lastDraw >= intervalNanos) {
            lastDraw = now;
            draw(now, false);
        }
    }

    /** The status text at time {@code now}: {@code label 120/2985 4% [#...] 37.2 it/s ETA 1:17}. */
    public synchronized String line(long now) {
        double secs = (now - startNanos) / 1e9;
        double rate = secs > 0 ? (count - baseline) / secs : 0;
        StringBuilder sb = new StringBuilder(label).append(' ');
        if (total >= 0) {
            double frac = total == 0 ? 1 : Math.min(1, (double) count / total);
            int width = 24, filled = (int) Math.floor(frac * width);
            sb.append(count).append('/').append(total)
              .append(String.format(Locale.ROOT, " %3d%% [", (int) Math.floor(frac * 100)))
              .append("#".repeat(filled)).append(".".repeat(width - filled)).append(']');
        } else {
            sb.append(count);
        }
        if (!detail.isEmpty()) sb.append(' ').append(detail);
        sb.append(String.format(Locale.ROOT, " %.1f it/s", rate));
        if (total >= 0 && count < total) {
            sb.append(" ETA ").append(rate > 0 ? clockText(Math.round((total - count) / rate)) : "?");
        } else {
            sb.append(" elapsed ").append(clockText(Math.round(secs)));
        }
        return sb.toString();
    }

    static String clockText(long seconds) {
        long h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    private void draw(long now, boolean last) {
        String l = line(now);
        if (terminal) {
            out.print("\r\033[K" + l + (last ? "\n" : ""));
        } else {
            out.println(l);
        }
        out.flush();
    }

    /** Sets the count to {@code done} items (of the total) and redraws when due. */
    public synchronized void update(long done) { advance(done - count); }

    /** Draws the final state (once). */
    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        draw(clock.getAsLong(), true);
    }
}
