package dev.tare.train;

import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.train.grad.GradDecoder;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Puts trainable LoRA terms (and the SEQ_CLS head copy) on a {@link GradDecoder}: PEFT's default init, or an existing adapter. */
public final class LoraInit {
    private LoraInit() {}

    /**
     * PEFT's default LoRA init on every decoder linear module whose last name part is in {@code targets}: A ~
     * kaiming_uniform(a=√5) = U(−1/√in, 1/√in), B = 0 (so training starts at the base model), drawn from {@code seed};
     * the score head becomes trainable (modules_to_save). Returns the modules adapted.
     */
    public static List<String> peftDefault(GradDecoder d, LoraSpec spec, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int r = spec.r();
        double scaling = spec.scaling();
        List<String> done = new ArrayList<>();
        for (String module : d.linearModules()) {
            if (!spec.targets().contains(module.substring(module.lastIndexOf('.') + 1))) continue;
            int[] shape = d.linearShape(module);
            int out = shape[0], in = shape[1];
            float[] a = new float[r * in];
            double bound = 1 / Math.sqrt(in);
            for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextDouble(-bound, bound);
            d.addLora(module, a, new float[out * r], r, scaling, spec.dropout());
            done.add(module);
        }
        if (done.isEmpty()) throw new IllegalArgumentException("no decoder linear module matches LoRA targets " + spec.targets());
        d.trainHead();
        return done;
    }

    /** Continues from a PEFT adapter: its A and B on their modules, and its head copy when it has one (else the base head), all trainable. */
    public static void fromAdapter(GradDecoder d, LoraAdapter adapter, double dropout) {
        for (LoraAdapter.Module m : adapter.modules().values())
            d.addLora(m.name(), m.a().clone(), m.b().clone(), m.rank(), m.scaling(), dropout);
        float[] h = d.trainHead().value();
        if (adapter.hasHead()) {
            float[] src = adapter.head();
            if (src.length != h.length) throw new IllegalArgumentException(adapter.dir() + ": head copy has " + src.length + " values, the base head " + h.length);
            System.arraycopy(src, 0, h, 0, h.length);
            d.head().changed();
        }
    }
}
