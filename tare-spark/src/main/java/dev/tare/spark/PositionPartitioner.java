package dev.tare.spark;

import org.apache.spark.Partitioner;

/** Sends row position p to part p / rowsPerPart: contiguous, deterministic parts whatever the input splits were. */
public final class PositionPartitioner extends Partitioner {
    private final int rowsPerPart;
    private final int parts;

    public PositionPartitioner(int rowsPerPart, int parts) {
        this.rowsPerPart = rowsPerPart;
        this.parts = Math.max(1, parts);
    }

    @Override public int numPartitions() { return parts; }

    @Override public int getPartition(Object key) { return Math.toIntExact((Long) key / rowsPerPart); }

    @Override public boolean equals(Object o) {
        return o instanceof PositionPartitioner p && p.rowsPerPart == rowsPerPart && p.parts == parts;
    }

    @Override public int hashCode() { return 31 * rowsPerPart + parts; }
}
