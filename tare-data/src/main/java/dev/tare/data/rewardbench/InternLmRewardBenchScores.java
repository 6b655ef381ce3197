package dev.tare.data.rewardbench;

import dev.tare.data.DataFormatException;
import dev.tare.data.PreferenceItem;
import dev.tare.data.SharedData;
import dev.tare.results.ScoredItem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * InternLM-XComposer2.5-7B-Reward's published RewardBench scores (shared/data/rm-scores), a file damaged upstream:
 * it starts with 4096 NUL bytes and a cut record, then 2938 complete records = rows 47..2984 of
 * rewardbench/filtered.jsonl (rm-scores README). Read by matching score pairs and joined to those rows.
 */
public final class InternLmRewardBenchScores {
    /** The model's Hugging Face id. */
    public static final String MODEL = "internlm/internlm-xcomposer2d5-7b-reward";
    /** The score file, relative to shared/data. */
    public static final String SCORES = "rm-scores/internlm-xcomposer2d5-7b-reward/reward_bench/results.json";
    /** The RewardBench rows, relative to shared/data. */
    public static final String ROWS = "rewardbench/filtered.jsonl";
    /** Rows of rewardbench/filtered.jsonl that the damaged file still covers start here. */
    public static final int FIRST_ROW = 47;
    /** Complete records in the damaged file. */
    public static final int RECORDS = 2938;
    private static final Pattern SCORE_PAIR = Pattern.compile(
            "\"score_chosen\"\\s*:\\s*(-?[0-9.eE+-]+)\\s*,\\s*\"score_rejected\"\\s*:\\s*(-?[0-9.eE+-]+)");

    /** One readable record: its RewardBench row and the two published scores. */
    public record Scored(PreferenceItem row, double chosen, double rejected) {
        /** As a tare result under {@code model}. */
        public ScoredItem item(String model) {
            return ScoredItem.pair(row.id(), row.subset(), model, chosen, rejected, null);
        }
    }

    private InternLmRewardBenchScores() {}

    /** The records of {@code scores} joined to the rows of {@code rowsFile}; a file that does not cover exactly rows 47.. fails. */
    public static List<Scored> read(Path scores, Path rowsFile) {
        List<PreferenceItem> rows = RewardBenchReader.read(rowsFile);
        String text;
        try {
            text = new String(Files.readAllBytes(scores), StandardCharsets.UTF_8).replace("\u0000", "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + scores + ": " + e.getMessage(), e);
        }
        Matcher m = SCORE_PAIR.matcher(text);
        List<Scored> out = new ArrayList<>();
        while (m.find()) {
            int row = FIRST_ROW + out.size();
            if (row >= rows.size()) throw new DataFormatException(scores, 0, "score_chosen", "more score records than rows " + FIRST_ROW + ".. of " + rowsFile);
            out.add(new Scored(rows.get(row), Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))));
        }
        if (out.size() != RECORDS || FIRST_ROW + out.size() != rows.size())
            throw new DataFormatException(scores, 0, "score_chosen", "expected " + RECORDS + " records covering rows "
                    + FIRST_ROW + ".." + (rows.size() - 1) + " of " + rowsFile + ", found " + out.size());
        return out;
    }

    /** The records from the shared folder (read once per call), or empty where it lacks the score file or the rows. */
    public static Optional<List<Scored>> shared() {
        Optional<Path> scores = SharedData.data(SCORES).filter(Files::isRegularFile);
        Optional<Path> rows = SharedData.data(ROWS).filter(Files::isRegularFile);
        return scores.isPresent() && rows.isPresent() ? Optional.of(read(scores.get(), rows.get())) : Optional.empty();
    }
}
