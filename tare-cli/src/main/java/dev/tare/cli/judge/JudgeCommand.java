package dev.tare.cli.judge;

import java.io.PrintWriter;
import picocli.CommandLine;
import dev.tare.scorers.ScorerSpec;
import dev.tare.scorers.judge.ChatGenerator;
import dev.tare.scorers.judge.JudgeTemplate;
import dev.tare.scorers.judge.PairwiseJudge;
import dev.tare.scorers.judge.Ranking;
import dev.tare.scorers.judge.SamplingParams;
import dev.tare.scorers.judge.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** `tare judge`: one question, two or more responses, a generative judge: pairwise verdicts, a ranking or the best of N. */
@Command(name = "judge", mixinStandardHelpOptions = true, subcommands = JudgeAuditCommand.class,
        description = {"Ask a generative judge about responses to one question. pair: both presentation orders (plus "
                + "voting@K with --votes), rank: round robin in both orders ranked by Copeland score, best-of-n: knockout. "
                + "Prints the verdicts, the judge calls used and the tokens/s."})
public final class JudgeCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec cli;

    @Option(names = "--judge", paramLabel = "SPEC", description = "local:DIR[,batch=N] | openai:URL,model=NAME[,token=env:VAR,...]")
    String judge;

    @Option(names = "--template", paramLabel = "NAME|FILE", description = "arena-hard, rewardbench, gram-r2 or a template JSON (default: arena-hard).")
    String template;

    @Option(names = "--question", paramLabel = "TEXT", description = "The user question.")
    String question;

    @Option(names = "--responses", arity = "2..*", paramLabel = "FILE", description = "Text files, one response each.")
    List<Path> responses;

    @Option(names = "--mode", defaultValue = "pair", paramLabel = "MODE", description = "pair, rank or best-of-n (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--votes", defaultValue = "1", paramLabel = "K", description = "pair mode: K seeded samples per order, majority vote (needs --temperature > 0).")
    int votes;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature (default: the template's, usually 0 = greedy).")
    Double temperature;

    @Option(names = "--seed", paramLabel = "S", description = "Base sampling seed: vote j of an order uses S+j (default: the spec's seed=S, else 42).")
    Long seed;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Generated tokens per judgment (default: the template's).")
    Integer maxTokens;

    @Option(names = "--one-order", description = "best-of-n: each challenger judged in one order only (N-1 calls instead of 2(N-1)).")
    boolean oneOrder;

    @Override public Integer call() throws IOException {
        // required here, not in picocli, so that `tare judge audit` (a subcommand) does not need them
        List<String> missing = new ArrayList<>();
        if (judge == null) missing.add("'--judge=SPEC'");
        if (question == null) missing.add("'--question=TEXT'");
        if (responses == null) missing.add("'--responses=FILE'");
        if (!missing.isEmpty())
            throw new CommandLine.ParameterException(cli.commandLine(), "Missing required option" + (missing.size() > 1 ? "s" : "") + ": " + String.join(", ", missing));
        ScorerSpec.Judge spec = ScorerSpec.Judge.parse(judge);
        JudgeTemplate t = JudgeTemplate.load(template != null ? template : spec.option("template", "arena-hard"));
        List<String> texts = new ArrayList<>();
        for (Path p : responses) {
            if (!Files.isRegularFile(p)) throw new IllegalArgumentException("no response file " + p);
            texts.add(Files.readString(p));
        }
        double temp = temperature != null ? temperature : spec.doubleOption("temperature", t.temperature());
        int max = maxTokens != null ? maxTokens : spec.intOption("max_tokens", t.maxTokens());
        SamplingParams params = new SamplingParams(max, temp, 1.0, seed != null ? seed : spec.seed(42));
        int votes = this.votes != 1 ? this.votes : spec.intOption("votes", 1);
        PrintWriter out = cli.commandLine().getOut();
        try (ChatGenerator g = spec.open(System::getenv)) {
            PairwiseJudge pj = new PairwiseJudge(g, t, params);
            switch (mode.toLowerCase(Locale.ROOT)) {
                case "pair" -> {
                    if (texts.size() != 2) throw new IllegalArgumentException("--mode pair takes exactly 2 responses, got " + texts.size() + " (use rank or best-of-n)");
                    if (votes > 1) {
                        PairwiseJudge.Vote v = pj.vote(question, texts.get(0), texts.get(1), votes, true);
                        out.printf("voting@%d over both orders: response 1 %d votes, response 2 %d votes, %d abstained (tie or unparseable)%n",
                                votes, v.votesFirst(), v.votesSecond(), v.abstained());
                        out.println("winner: " + winner(v.winner(), responses));
                    } else {
                        PairwiseJudge.PairResult r = pj.compareBothOrders(question, texts.get(0), texts.get(1));
                        out.println("order 1 (response 1 shown as A): " + describe(r.firstOrder().verdict()));
                        out.println("order 2 (response 2 shown as A, flipped back): " + describe(r.secondOrder().verdict()));
                        out.println("combined: " + winner(r.combined(), responses) + (r.consistent() ? " (position-consistent)" : " (not position-consistent)"));
                    }
                }
                case "rank" -> {
                    Ranking.Ranked r = Ranking.roundRobin(pj, question, texts);
                    out.println("rank  copeland  response");
                    for (int k = 0; k < r.order().size(); k++) {
                        int i = r.order().get(k);
                        out.printf("%4d  %8.1f  %s%n", k + 1, r.scores()[i], responses.get(i));
                    }
                    out.println("judge calls: " + r.calls() + "; unparseable verdicts: " + r.unparseableVerdicts()
                            + " (" + r.undecidedPairs() + " pairs with no verdict in either order, scored for neither)");
                }
                case "best-of-n", "best" -> {
                    Ranking.BestOfN b = Ranking.knockout(pj, question, texts, !oneOrder);
                    for (String s : b.bracket()) out.println("  " + s);
                    out.println("best: " + b.best() + " (" + responses.get(b.best()) + ")");
                    out.println("judge calls: " + b.calls() + "; unparseable verdicts: " + b.unparseableVerdicts());
                }
                default -> throw new IllegalArgumentException("--mode must be pair, rank or best-of-n, got '" + mode + "'");
            }
            out.println("cost: " + pj.stats());
        }
        return 0;
    }

    private static String describe(Verdict v) {
        return switch (v) {
            case Verdict.Prefer p -> (p.winner() == Verdict.Side.A ? "A" : "B") + " better (" + p.strength().name().toLowerCase(Locale.ROOT) + ")";
            case Verdict.Tie t -> "tie";
            case Verdict.Unparseable u -> "unparseable: " + u.reason();
        };
    }

    private static String winner(dev.tare.scorers.judge.Preference p, List<Path> files) {
        return switch (p) {
            case A -> "response 1 (" + files.get(0) + ")";
            case B -> "response 2 (" + files.get(1) + ")";
            case TIE -> "tie";
        };
    }
}
