package dev.tare.spark;

import java.io.Serializable;

/** What one task did with its part: the rows it holds, whether it was found finished (skipped), and seconds spent. */
public record PartResult(int part, long rows, boolean skipped, double seconds) implements Serializable {}
