package dev.tare.data.gsm8k;

/**
 * One GSM8K problem: question, worked answer, the gold final answer (the text after `####`) and the 1-based line of
 * its row in the file it was read from (for error messages; 0 when not read from a file).
 */
public record Gsm8kItem(String question, String answer, String gold, long line) {}
