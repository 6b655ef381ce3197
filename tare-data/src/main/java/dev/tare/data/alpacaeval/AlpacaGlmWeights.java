package dev.tare.data.alpacaeval;

/**
 * AlpacaEval's fitted length-controlled GLM coefficients for one model ({@code length_controlled_v1} weights CSV):
 * {@code length} on np.tanh(std_delta_len), {@code difficulty} on instruction_difficulty and {@code model} on
 * not_gamed_baseline (the model's own term), for the model called {@code name}.
 */
public record AlpacaGlmWeights(String name, double length, double difficulty, double model) {}
