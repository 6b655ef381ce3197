package dev.tare.scorers.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.scorers.ScorerException;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * What an engine says it serves, read once before the first scoring request and checked against the spec: vLLM
 * {@code GET /v1/models} ({@code {"data":[{"id":NAME,"max_model_len":N,...}]}}, vLLM's OpenAI-compatible ModelCard)
 * must list {@code model=} (or serve exactly one model when none is named); TEI {@code GET /info}
 * ({@code {"model_id","max_input_length","model_type":{"classifier"|"reranker":{"id2label":{..}}} | {"embedding":..}}},
 * router/src/lib.rs {@code Info}) must serve a classifier (a one-label model is reported as {@code reranker}), have the
 * spec's {@code label=} among its labels (or have exactly one label when none is named), and match {@code model=} when
 * given. {@code maxInputTokens} is the engine's limit (0 when unknown); protocol=tare is not checked.
 */
public record ServedModel(String id, int maxInputTokens, List<String> labels) {
    public ServedModel {
        labels = List.copyOf(labels);
    }

    static ServedModel check(URI endpoint, RewardProtocol protocol, String model, String label, JsonHttpClient http) {
        URI root = endpoint.resolve("/");
        return switch (protocol) {
            case TARE -> new ServedModel(model, 0, List.of());
            case VLLM_POOLING, VLLM_CLASSIFY -> vllm(root.resolve("/v1/models"), model, http);
            case TEI -> tei(root.resolve("/info"), model, label, http);
            case TEI_RERANK -> reranker(tei(root.resolve("/info"), model, label, http), root.resolve("/info"));
        };
    }

    private static ServedModel vllm(URI u, String model, JsonHttpClient http) {
        JsonNode resp = http.get(u);
        JsonNode data = resp.get("data");
        if (data == null || !data.isArray()) throw mismatch(u, "expected {\"data\":[{\"id\":...}]} (vLLM's model list)" + JsonHttpClient.snippet(resp.toString()));
        List<String> ids = new ArrayList<>();
        JsonNode pick = null;
        for (JsonNode card : data) {
            String id = card.path("id").asText(null);
            if (id == null) throw mismatch(u, "a model card has no 'id'" + JsonHttpClient.snippet(card.toString()));
            ids.add(id);
            if (id.equals(model)) pick = card;
        }
        if (model == null) {
            if (ids.size() != 1) throw mismatch(u, "the server serves " + ids + "; name one with model=NAME");
            pick = data.get(0);
        } else if (pick == null) {
            throw mismatch(u, "model=" + model + " is not served; the server serves " + ids
                    + " (vllm serve --served-model-name sets the name)");
        }
        return new ServedModel(pick.path("id").asText(), pick.path("max_model_len").asInt(0), List.of());
    }

    private static ServedModel tei(URI u, String model, String label, JsonHttpClient http) {
        JsonNode info = http.get(u);
        String id = info.path("model_id").asText(null);
        JsonNode type = info.get("model_type");
        if (id == null || type == null || !type.isObject())
            throw mismatch(u, "expected TEI's info object with model_id and model_type" + JsonHttpClient.snippet(info.toString()));
        if (model != null && !(id.equals(model) || id.endsWith("/" + model) || model.endsWith("/" + id)))
            throw mismatch(u, "model=" + model + " but the server serves " + id);
        JsonNode cls = type.has("classifier") ? type.get("classifier") : type.get("reranker");
        if (cls == null)
            throw mismatch(u, "the server serves " + id + " as " + String.join("/", iterable(type.fieldNames()))
                    + ", not as a classifier; a reward model must be a *ForSequenceClassification checkpoint");
        List<String> labels = new ArrayList<>();
        JsonNode id2label = cls.path("id2label");
        for (int k = 0; k < id2label.size(); k++) {
            JsonNode l = id2label.get(String.valueOf(k));
            if (l == null) throw mismatch(u, "id2label has no entry " + k + JsonHttpClient.snippet(id2label.toString()));
            labels.add(l.asText());
        }
        if (labels.isEmpty()) throw mismatch(u, "the classifier reports no labels" + JsonHttpClient.snippet(info.toString()));
        if (label == null && labels.size() != 1)
            throw mismatch(u, id + " has " + labels.size() + " labels " + labels + "; choose the reward's with label=NAME");
        if (label != null && !labels.contains(label))
            throw mismatch(u, "label=" + label + " is not one of " + id + "'s labels " + labels);
        return new ServedModel(id, info.path("max_input_length").asInt(0), labels);
    }

    // TEI answers /rerank only for a one-label classifier (router/src/http/server.rs: "model is not a re-ranker model")
    private static ServedModel reranker(ServedModel s, URI u) {
        if (s.labels().size() != 1)
            throw mismatch(u, s.id() + " has " + s.labels().size() + " labels " + s.labels() + "; TEI re-ranks with one-label models only (use protocol=tei)");
        return s;
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) { return () -> it; }

    private static ScorerException mismatch(URI u, String problem) {
        return new ScorerException("served model check (" + u + "): " + problem);
    }
}
