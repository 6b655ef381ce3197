package dev.tare.serve.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.Message;
import dev.tare.serve.RewardItem;
import dev.tare.serve.ResponseSplitter;
import dev.tare.serve.RewardResult;

import java.util.ArrayList;
import java.util.List;

/**
 * The two wire formats. OpenRLHF's remote reward model: {"query":[..], "prompts":[..], "labels":[..]} →
 * {"rewards":[..], "scores":[..], "extra_logs":{..}}. tare's native API: {"items":[{"messages":[..]} |
 * {"prompt":..,"response":..}, "label":..]} → {"rewards":[..], "results":[{"reward","raw_score","components","label_missing"}]}
 * (an item that failed alone: reward null and "error").
 */
public final class Protocols {
    /** Strict JSON: no NaN/Infinity literals, duplicate keys rejected, nothing but whitespace after the value. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private Protocols() {}

    public static JsonNode parse(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) throw new BadRequest(400, "body must be a JSON object");
            return n;
        } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")) {
                var at = e.getLocation();
                throw new BadRequest(400, "trailing content after the JSON object" + (at == null ? "" : " at line " + at.getLineNr()
                        + ", column " + at.getColumnNr()) + ": the body must hold exactly one JSON object");
            }
            throw new BadRequest(400, "malformed JSON: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new BadRequest(400, "malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new BadRequest(400, "unreadable body: " + e.getMessage());
        }
    }

    /**
     * OpenRLHF body → items. The response (for verifiable rewards and calibration) is cut out of each rendered query
     * by {@code splitter}: query minus its prompt prefix, else after the last known assistant header, end markup stripped.
     */
    public static List<RewardItem> openRlhf(JsonNode body, Limits limits, ResponseSplitter splitter) {
        List<String> query = strings(body, "query", false);
        List<String> prompts = body.has("prompts") && !body.get("prompts").isNull() ? strings(body, "prompts", true) : null;
        JsonNode labels = body.get("labels");
        if (labels != null && !labels.isNull() && !labels.isArray()) throw new BadRequest(400, "'labels' must be a list");
        checkCount(query.size(), limits);
        if (prompts != null && prompts.size() != query.size())
            throw new BadRequest(400, "'prompts' has " + prompts.size() + " entries but 'query' has " + query.size());
        if (labels != null && labels.isArray() && labels.size() != query.size())
            throw new BadRequest(400, "'labels' has " + labels.size() + " entries but 'query' has " + query.size());
        List<RewardItem> items = new ArrayList<>(query.size());
        for (int i = 0; i < query.size(); i++) {
            String q = query.get(i);
            String p = prompts == null ? null : prompts.get(i);
            JsonNode label = labels == null || labels.isNull() ? null : labels.get(i);
            RewardItem item = RewardItem.rendered(q, p, label, splitter);
            checkChars(item, i, limits);
            items.add(item);
        }
        return items;
    }

    /**
     * tare native body → items. The response (or last assistant message) gets the same end-of-turn stripping as an
     * OpenRLHF query for verifiable rewards and calibration; a model still scores the conversation as sent.
     */
    public static List<RewardItem> nativeItems(JsonNode body, Limits limits, ResponseSplitter splitter) {
        JsonNode arr = body.get("items");
        if (arr == null || !arr.isArray()) throw new BadRequest(400, "'items' must be a list of objects");
        checkCount(arr.size(), limits);
        List<RewardItem> items = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            JsonNode it = arr.get(i);
            String where = "items[" + i + "]";
            if (!it.isObject()) throw new BadRequest(400, where + " must be an object");
            List<Message> messages = null;
            JsonNode m = it.get("messages");
            if (m != null && !m.isNull()) {
                if (!m.isArray() || m.isEmpty()) throw new BadRequest(400, where + ".messages must be a non-empty list");
                messages = new ArrayList<>();
                for (int j = 0; j < m.size(); j++) {
                    JsonNode t = m.get(j);
                    String w = where + ".messages[" + j + "]";
                    if (!t.isObject()) throw new BadRequest(400, w + " must be an object");
                    messages.add(new Message(text(t, "role", w), text(t, "content", w)));
                }
                if (!"assistant".equals(messages.getLast().role()))
                    throw new BadRequest(400, where + ".messages must end with the assistant response to reward");
            }
            String prompt = optText(it, "prompt", where);
            String response = optText(it, "response", where);
            if (messages == null && response == null)
                throw new BadRequest(400, where + " needs 'messages' or 'response' (with an optional 'prompt')");
            RewardItem item = RewardItem.of(messages, prompt, response, it.get("label"), splitter);
            checkChars(item, i, limits);
            items.add(item);
        }
        return items;
    }

    public static ObjectNode openRlhfResponse(List<RewardResult> results) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode rewards = out.putArray("rewards");
        ArrayNode scores = out.putArray("scores");
        ObjectNode logs = out.putObject("extra_logs");
        for (RewardResult r : results) {
            rewards.add(r.reward());
            scores.add(r.reward());
        }
        // OpenRLHF runs torch.tensor on every extra_logs value: only full lists of finite numbers go in.
        putIfAllFinite(logs, "raw_score", results.stream().mapToDouble(RewardResult::rawScore).toArray());
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        for (RewardResult r : results) keys.addAll(r.components().keySet());
        for (String k : keys) {
            putIfAllFinite(logs, k, results.stream().mapToDouble(r -> r.components().getOrDefault(k, Double.NaN)).toArray());
        }
        // <source>_label_missing (0/1) for every verifiable source, on every response: OpenRLHF v0.11 batches the
        // per-sample extra_logs by the first sample's keys (openrlhf/trainer/ppo_utils/experience.py, make_experience_batch),
        // so a key present on one sample and absent on another breaks it; these keys never depend on the item.
        java.util.Set<String> logKeys = new java.util.LinkedHashSet<>();
        for (RewardResult r : results) logKeys.addAll(r.logs().keySet());
        for (String k : logKeys) {
            putIfAllFinite(logs, k, results.stream().mapToDouble(r -> r.logs().getOrDefault(k, Double.NaN)).toArray());
        }
        return out;
    }

    private static void putIfAllFinite(ObjectNode logs, String key, double[] values) {
        for (double v : values) if (!Double.isFinite(v)) return;
        ArrayNode a = logs.putArray(key);
        for (double v : values) a.add(v);
    }

    public static ObjectNode nativeResponse(List<RewardResult> results) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode rewards = out.putArray("rewards");
        ArrayNode res = out.putArray("results");
        for (RewardResult r : results) {
            ObjectNode o = res.addObject();
            if (!r.ok()) { // this item alone failed: null, never a number, with the reason
                rewards.addNull();
                o.putNull("reward");
                o.put("error", r.error());
                continue;
            }
            rewards.add(r.reward());
            o.put("reward", r.reward());
            if (Double.isFinite(r.rawScore())) o.put("raw_score", r.rawScore()); else o.putNull("raw_score");
            ObjectNode comps = o.putObject("components");
            r.components().forEach(comps::put);
            ArrayNode missing = o.putArray("label_missing");
            r.logs().forEach((k, v) -> { if (k.endsWith("_label_missing") && v == 1.0) missing.add(k.substring(0, k.length() - "_label_missing".length())); });
        }
        return out;
    }

    private static void checkCount(int n, Limits limits) {
        if (n == 0) throw new BadRequest(400, "no items in request");
        if (n > limits.maxItems()) throw new BadRequest(413, n + " items in one request; the limit is " + limits.maxItems());
    }

    private static void checkChars(RewardItem item, int i, Limits limits) {
        if (item.chars() > limits.maxItemChars())
            throw new BadRequest(413, "item " + i + " has " + item.chars() + " characters; the limit is " + limits.maxItemChars());
    }

    private static List<String> strings(JsonNode body, String field, boolean nullable) {
        JsonNode a = body.get(field);
        if (a == null || !a.isArray()) throw new BadRequest(400, "'" + field + "' must be a list of strings");
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonNode v = a.get(i);
            if (v.isNull() && nullable) { out.add(null); continue; }
            if (!v.isTextual()) throw new BadRequest(400, "'" + field + "[" + i + "]' must be a string, got " + v.getNodeType());
            out.add(v.asText());
        }
        return out;
    }

    private static String text(JsonNode o, String f, String where) {
        JsonNode v = o.get(f);
        if (v == null || !v.isTextual()) throw new BadRequest(400, where + "." + f + " must be a string");
        return v.asText();
    }

    private static String optText(JsonNode o, String f, String where) {
        JsonNode v = o.get(f);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new BadRequest(400, where + "." + f + " must be a string");
        return v.asText();
    }
}
