package dev.tare.cli.train;

import dev.tare.core.Progress;
import dev.tare.train.Trainer;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * A {@link Trainer.Listener} showing each training job's optimizer steps on a stderr progress bar (epoch, loss, pair
 * accuracy, tokens/s, ETA); a new job (its step count restarting) gets a new bar. Close it after the last job.
 */
public final class TrainProgress implements Trainer.Listener, AutoCloseable {
    private final String label;
    private final Consumer<Trainer.Epoch> onEpoch;
    private Progress bar;
    private long last = Long.MAX_VALUE;

    public TrainProgress(String label, Consumer<Trainer.Epoch> onEpoch) {
        this.label = label;
        this.onEpoch = onEpoch;
    }

    /** A listener for jobs whose epochs need no line of their own. */
    public static TrainProgress stderr(String label) { return new TrainProgress(label, e -> {}); }

    @Override public void resumed(long step, long totalSteps) {
        System.err.println("resuming from the checkpoint of step " + step + " of " + totalSteps);
        bar(totalSteps, step).resumedAt(step);
    }

    @Override public void step(Trainer.Step st) {
        Progress p = bar(st.totalSteps(), st.step() - 1);
        p.setTotal(st.totalSteps());
        p.setDetail(String.format(Locale.ROOT, "epoch %d/%d loss %.4f acc %.1f%% %.0f tok/s", st.epoch(), st.epochs(), st.loss(),
                100 * st.accuracy(), st.tokensPerSecond()));
        p.update(st.step());
        last = st.step();
        if (st.step() == st.totalSteps()) close();   // the job's last step: end its bar before whatever comes next
    }

    @Override public void epoch(Trainer.Epoch e) { onEpoch.accept(e); }

    private Progress bar(long total, long step) {
        if (bar == null || step < last) {
            close();
            bar = Progress.stderr(label, total);
        }
        return bar;
    }

    @Override public void close() {
        if (bar != null) bar.close();
        bar = null;
        last = Long.MAX_VALUE;
    }
}
