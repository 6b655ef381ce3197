package dev.tare.demo.generate;

import java.io.PrintStream;

/** A one-line progress indicator on stderr for a phase of known length: count, rate and ETA. */
public final class Progress {
    private final PrintStream err;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastPrint;

    public Progress(PrintStream err, String label, long total) {
        this.err = err;
        this.label = label;
        this.total = total;
        print(0);
    }

    public void update(long done) {
        long now = System.nanoTime();
        if (done < total && now - lastPrint < 250_000_000L) return;
        lastPrint = now;
        print(done);
    }

    private void print(long done) {
        double s = (System.nanoTime() - start) / 1e9;
        double rate = s > 0 ? done / s : 0;
        String eta = done > 0 && done < total ? String.format(" ETA %.0fs", (total - done) / rate) : "";
        int width = 24, fill = total == 0 ? width : (int) (width * done / total);
        err.printf("\r%-22s [%s%s] %d/%d %.1f/s%s   ", label, "#".repeat(fill), ".".repeat(width - fill), done, total, rate, eta);
        if (done >= total) err.println();
        err.flush();
    }
}
