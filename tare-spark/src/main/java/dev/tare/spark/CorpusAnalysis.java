package dev.tare.spark;

import dev.tare.bias.Feature;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import dev.tare.debias.audit.AuditInput;
import dev.tare.debias.audit.AuditResult;
import dev.tare.debias.calibration.CalibrationRun;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.Method;
import dev.tare.debias.calibration.RewardCalibration;
import dev.tare.eval.EvalReport;
import dev.tare.eval.EvalSummary;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsReader;
import dev.tare.results.ResultsWriter;
import dev.tare.results.ScoredItem;

import java.nio.file.Path;
import java.util.List;

/**
 * The audit and calibration of a scored corpus that fits the driver: the results collected in row order go through
 * tare's own library, so the numbers are those of single-node {@code tare eval} (official scores, length/markdown
 * correlations, longer-wins with bootstrap CIs, RC-LWR on chars) and {@code tare calibrate} (LOWESS fitted on the
 * full data, not a sample: every response of every row, frac, alpha as given; calibrated rewards for every row).
 */
public record CorpusAnalysis(List<PreferenceItem> items, List<ScoredItem> results, AuditResult audit,
                             CalibrationRun.Outcome calibration) {
    public CorpusAnalysis {
        items = List.copyOf(items);
        results = List.copyOf(results);
    }

    /** Analyses the results file of {@code items} (same order) as tare eval and tare calibrate --method lwr --feature chars do. */
    public static CorpusAnalysis of(Benchmark benchmark, List<PreferenceItem> items, Path resultsFile, CalibrationSettings settings,
                                    Bootstrap boot) {
        List<ScoredItem> results = ResultsReader.read(resultsFile);
        AuditResult audit = EvalSummary.analyze(benchmark, items, results, boot);
        var chain = List.of(new RewardCalibration.Step(Method.LWR, Feature.CHARS.cliName()));
        java.util.Map<ScoredItem, Integer> row = new java.util.IdentityHashMap<>();
        for (int k = 0; k < results.size(); k++) row.put(results.get(k), k);
        CalibrationRun.Outcome cal = CalibrationRun.fit(results, it -> {
            PreferenceItem p = items.get(row.get(it));
            return new AuditInput.Texts(p.chosen(), p.rejected());
        }, CalibrationRun.Kind.detect(results), chain, settings, null, boot);
        return new CorpusAnalysis(items, results, audit, cal);
    }

    /** Writes summary.json + report.html (tare eval's) and calibrated.jsonl (tare calibrate's) into {@code out}. */
    public void write(Path out, EvalReport.RunInfo info) {
        EvalReport.write(audit, info, out);
        ResultsWriter.writeAll(out.resolve("calibrated.jsonl"), calibration.calibrated());
    }
}
