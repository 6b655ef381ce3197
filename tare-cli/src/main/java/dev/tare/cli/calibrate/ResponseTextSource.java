package dev.tare.cli.calibrate;

import dev.tare.data.DataFormatException;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.DatasetReader;
import dev.tare.debias.audit.AuditInput;
import dev.tare.debias.calibration.CalibrationRun;
import dev.tare.results.ResponseTexts;
import dev.tare.results.ScoredItem;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Where `tare calibrate` takes each item's response texts from: the results file's own fields or the dataset. */
final class ResponseTextSource {
    private ResponseTextSource() {}

    /** Texts from the results file's own chosen/rejected fields. */
    static Function<ScoredItem, AuditInput.Texts> fromExtras(Path results) {
        return it -> {
            List<String> c = ResponseTexts.chosen(it), r = ResponseTexts.rejected(it);
            if ((c == null || r == null) && ResponseTexts.renderedOnly(it))
                throw new DataFormatException(results, 0, "text_chosen", "item " + it.key() + ": " + ResponseTexts.RENDERED_ONLY
                        + "; pass the dataset with --data to take the responses from it");
            if (c == null || r == null)
                throw new DataFormatException(results, 0, "chosen", "item " + it.key() + " carries no response texts (chosen/rejected); pass --data");
            return new AuditInput.Texts(c, r);
        };
    }

    /** Texts from the dataset file(s), joined by (domain, subset, id), or by (domain, id) for RM-Bench. */
    static Function<ScoredItem, AuditInput.Texts> fromData(Path results, List<Path> data, CalibrationRun.Kind kind) {
        Map<ScoredItem.Key, AuditInput.Texts> byKey = new HashMap<>();
        Map<String, AuditInput.Texts> byDomainId = new HashMap<>();  // RM-Bench rows are unique by (domain, id)
        String reader = kind == CalibrationRun.Kind.PAIRS ? "pairs" : kind.cliName();
        for (Path p : data) {
            for (PreferenceItem pi : DatasetReader.read(reader, p)) {
                String domain = pi.meta().get("domain");
                var t = new AuditInput.Texts(pi.chosen(), pi.rejected());
                byKey.put(new ScoredItem.Key(domain, pi.subset(), pi.id()), t);
                if (domain != null) byDomainId.put(domain + "\u0000" + pi.id(), t);
            }
        }
        return it -> {
            AuditInput.Texts t = byKey.get(it.key());
            if (t == null && it.domain() != null) t = byDomainId.get(it.domain() + "\u0000" + it.id());
            if (t == null) throw new IllegalArgumentException("item " + it.key() + " of " + results + " is not in " + data
                    + " (joined by subset and id, or domain and id)");
            return t;
        };
    }
}
