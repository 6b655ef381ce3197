package dev.tare.eval.inside;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.DataFormatException;
import dev.tare.data.Jsonl;
import dev.tare.data.npy.NpyArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An activation run read back strictly: activations [items, layers + 1, hidden] and the matching items.jsonl rows. */
public record ActivationFile(NpyArray activations, List<Row> rows) {

    /** One items.jsonl row: id, group and 0/1 labels. */
    public record Row(String id, String group, Map<String, Integer> labels) {}

    public int layers() { return activations.shape()[1]; }
    public int hidden() { return activations.shape()[2]; }

    /** Row i's activation at hidden-states index l, as double. */
    public double[] vector(int i, int l) {
        int L = layers(), H = hidden();
        double[] v = new double[H];
        float[] d = activations.data();
        int off = (i * L + l) * H;
        for (int j = 0; j < H; j++) v[j] = d[off + j];
        return v;
    }

    public static ActivationFile read(Path npy, Path items) {
        NpyArray a = NpyArray.read(npy);
        if (a.shape().length != 3) throw new DataFormatException(npy, 0, "shape", "activations must be [items, layers + 1, hidden], got rank " + a.shape().length);
        List<Row> rows = new ArrayList<>();
        for (Row r : Jsonl.read(items, (line, n) -> {
            JsonNode row = n.get("row");
            if (row == null || !row.isIntegralNumber()) throw line.error("row", "missing or not an integer");
            if (row.asInt() != line.number() - 1) throw line.error("row", "is " + row.asInt() + ", expected " + (line.number() - 1) + " (rows in order)");
            String id = line.text("id");
            JsonNode g = n.get("group");
            JsonNode lab = n.get("labels");
            if (lab == null || !lab.isObject()) throw line.error("labels", "missing or not an object");
            Map<String, Integer> m = new HashMap<>();
            for (var e : lab.properties()) {
                if (!e.getValue().isIntegralNumber() || (e.getValue().asInt() != 0 && e.getValue().asInt() != 1))
                    throw line.error("labels." + e.getKey(), "must be 0 or 1, got " + e.getValue());
                m.put(e.getKey(), e.getValue().asInt());
            }
            return new Row(id, g == null || g.isNull() ? id : g.asText(), m);
        })) rows.add(r);
        if (rows.size() != a.shape()[0])
            throw new DataFormatException(items, 0, "row", rows.size() + " rows but " + npy.getFileName() + " holds " + a.shape()[0] + " items");
        return new ActivationFile(a, List.copyOf(rows));
    }
}
