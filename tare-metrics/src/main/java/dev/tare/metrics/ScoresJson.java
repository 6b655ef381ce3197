package dev.tare.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.metrics.rewardbench.SubsetScore;
import dev.tare.metrics.stats.Interval;
import dev.tare.metrics.stats.IntervalJson;

import java.util.List;

/** Shared pieces of the {@link BenchmarkScores#json()} trees. */
public final class ScoresJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private ScoresJson() {}

    /** A scores object that starts with {@code "units": "fraction"} ({@link Units}), the model and the item count. */
    public static ObjectNode object(String model, int items) {
        ObjectNode o = MAPPER.createObjectNode();
        Units.fraction(o);
        o.put("model", model);
        o.put("items", items);
        return o;
    }

    /** A value (list, array, record) as a tree. */
    public static JsonNode tree(Object value) { return MAPPER.valueToTree(value); }

    /** An interval in the {@link IntervalJson#METRICS} form. */
    public static JsonNode ci(Interval i) { return IntervalJson.METRICS.node(i); }

    /** Subset scores as an array of {subset, items, ties, score}. */
    public static ArrayNode subsets(List<SubsetScore> subsets) {
        ArrayNode a = MAPPER.createArrayNode();
        for (SubsetScore s : subsets) {
            ObjectNode o = a.addObject();
            o.put("subset", s.subset());
            o.put("items", s.items());
            o.put("ties", s.ties());
            o.set("score", ci(s.score()));
        }
        return a;
    }
}
