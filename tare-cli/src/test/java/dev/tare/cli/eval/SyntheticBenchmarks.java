package dev.tare.cli.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Seeded synthetic data files in RewardBench 2's and RM-Bench's published row formats, for CLI tests without ../shared. */
final class SyntheticBenchmarks {
    private static final ObjectMapper M = new ObjectMapper();
    static final List<String> RB2_SUBSETS = List.of("Factuality", "Precise IF", "Math", "Safety", "Focus");
    static final List<String> RM_DOMAINS = List.of("chat", "math", "code", "safety-refuse", "safety-response");
    private static final String[] WORDS = {"the", "answer", "is", "about", "because", "we", "check", "value", "so", "it",
            "follows", "that", "right", "wrong", "here", "step", "result", "note"};

    private SyntheticBenchmarks() {}

    /** A response of random words (which may say "right" or "wrong"), {@code minWords}..{@code minWords+20} long. */
    static String text(Random rnd, int minWords) {
        int n = minWords + rnd.nextInt(21);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
        return sb.append('.').toString();
    }

    /** RewardBench 2 rows (no Ties): id, subset, prompt, chosen[1], rejected[3], num_correct, total_completions. */
    static Path rewardBench2(Path file, int perSubset, long seed) throws IOException {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder();
        int id = 0;
        for (String subset : RB2_SUBSETS) {
            for (int i = 0; i < perSubset; i++) {
                ObjectNode row = M.createObjectNode();
                row.put("id", Integer.toString(id++)).put("subset", subset).put("prompt", "Question " + id + ": " + text(rnd, 3));
                row.putArray("chosen").add(text(rnd, 4));
                ArrayNode rej = row.putArray("rejected");
                for (int k = 0; k < 3; k++) rej.add(text(rnd, 2));
                row.put("num_correct", 1).put("total_completions", 4);
                sb.append(M.writeValueAsString(row)).append('\n');
            }
        }
        Files.writeString(file, sb);
        return file;
    }

    /** RM-Bench rows: id, domain, prompt, chosen[3], rejected[3] in styles [concise, detailed plain, detailed markdown]. */
    static Path rmBench(Path file, int perDomain, long seed) throws IOException {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder();
        int id = 0;
        for (String domain : RM_DOMAINS) {
            for (int i = 0; i < perDomain; i++) {
                ObjectNode row = M.createObjectNode();
                row.put("id", id++).put("domain", domain).put("prompt", "Task " + id + ": " + text(rnd, 3));
                row.set("chosen", styles(rnd, " right"));
                row.set("rejected", styles(rnd, ""));
                sb.append(M.writeValueAsString(row)).append('\n');
            }
        }
        Files.writeString(file, sb);
        return file;
    }

    private static ArrayNode styles(Random rnd, String mark) {
        String core = text(rnd, 2) + mark;
        String detail = text(rnd, 8);
        ArrayNode a = M.createArrayNode();
        a.add(core);
        a.add(core + "\n\n" + detail);
        a.add("## Answer\n\n" + core + "\n\n- " + detail + "\n- " + text(rnd, 2));
        return a;
    }
}
