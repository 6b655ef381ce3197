package dev.tare.debias.alpacaeval;

/**
 * One model's answers to the AlpacaEval instructions as a reward model scored them: the reward and length (code points)
 * of each answer, the GPT-4 judge's probability that the answer beats the reference (NaN where not judged) and the
 * model's LC win rate in percent (NaN where unknown), in the reference's instruction order.
 */
public record ModelRewards(String model, double[] rewards, int[] lengths, double[] judgeWinProbability, double lcWinRate) {
    public ModelRewards {
        if (rewards.length != lengths.length || rewards.length != judgeWinProbability.length)
            throw new IllegalArgumentException(model + ": rewards, lengths and judge preferences differ in length");
    }
}
