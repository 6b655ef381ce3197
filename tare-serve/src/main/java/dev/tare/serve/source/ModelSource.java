package dev.tare.serve.source;

import dev.tare.data.Message;
import dev.tare.scorers.RenderedTextScorer;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerException;
import dev.tare.serve.RewardItem;

import java.util.ArrayList;
import java.util.List;

/**
 * A reward model (local checkpoint, optionally with a subtracted LoRA, or a remote endpoint). Items carrying an
 * already rendered query are scored as text when the scorer supports it, else through their conversation.
 */
public record ModelSource(RewardScorer scorer) implements RewardSource {
    @Override public String name() { return "model"; }

    /** The scorer's tokenizer special tokens (empty when it has no tokenizer or cannot take rendered text). */
    public java.util.Set<String> specialTokenTexts() {
        return scorer instanceof RenderedTextScorer r ? r.specialTokenTexts() : java.util.Set.of();
    }

    /**
     * Checks a remote model now (vLLM {@code /v1/models}, TEI {@code /info}: name, label, max input length), so that a
     * server in front of the wrong or an unreachable engine refuses to start instead of answering 500 later; local
     * models were checked when loaded. Throws the check's {@link ScorerException}.
     */
    public void checkServedModel() {
        if (scorer instanceof dev.tare.scorers.remote.HttpRewardScorer h && h.checksServer()) h.verify();
    }

    @Override
    public double[] evaluate(List<RewardItem> batch) {
        double[] out = new double[batch.size()];
        List<Integer> convIdx = new ArrayList<>();
        List<List<Message>> convs = new ArrayList<>();
        List<Integer> textIdx = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            RewardItem it = batch.get(i);
            if (it.renderedQuery() != null && it.messages() == null) {
                if (!(scorer instanceof RenderedTextScorer r) || !r.scoresRenderedText())
                    throw new IllegalArgumentException("item " + i + ": " + scorer.name() + " cannot score an already rendered query; "
                            + "send chat messages to POST /v1/reward instead");
                textIdx.add(i);
                texts.add(it.renderedQuery());
            } else {
                convIdx.add(i);
                convs.add(it.conversation());
            }
        }
        if (!convs.isEmpty()) scatter(scorer.score(convs), convIdx, out);
        if (!texts.isEmpty()) scatter(((RenderedTextScorer) scorer).scoreRendered(texts), textIdx, out);
        return out;
    }

    private static void scatter(double[] vals, List<Integer> idx, double[] out) {
        if (vals.length != idx.size())
            throw new ScorerException("scorer returned " + vals.length + " rewards for " + idx.size() + " inputs");
        for (int k = 0; k < vals.length; k++) {
            if (!Double.isFinite(vals[k])) throw new ScorerException("scorer returned a non-finite reward: " + vals[k]);
            out[idx.get(k)] = vals[k];
        }
    }
}
