package dev.tare.metrics.alpacaeval;

import java.util.List;

/**
 * The AlpacaEval scores of several models against one baseline, the instruction difficulties their LC rests on (null
 * when they could not be estimated) and, then, why not.
 */
public record AlpacaEvalScores(List<AlpacaModelScores> models, InstructionDifficulty.Estimate difficulty, String lcUnavailable) {}
