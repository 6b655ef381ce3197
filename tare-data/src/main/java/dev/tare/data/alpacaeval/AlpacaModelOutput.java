package dev.tare.data.alpacaeval;

/** One row of AlpacaEval's {@code model_outputs.json}: an instruction of the evaluation set and one model's answer. */
public record AlpacaModelOutput(String instruction, String dataset, String output, String generator) {}
