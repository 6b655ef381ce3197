package dev.tare.eval.catalogue;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.ThrowingSupplier;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input catalogue: one table per layer (checkpoint, adapter, tokenizer/template, data, results, run), each row a
 * hostile input and the exact class of outcome it must get. Add a row with every new reader or refusal.
 */
final class Catalogue {
    /** The outcome a bad input must get. */
    sealed interface Outcome permits Error, Survives {}

    /** A clear error: of this type, its message naming each of {@code mentions} (file, line, field, tensor, ...). */
    record Error(Class<? extends Throwable> type, List<String> mentions) implements Outcome {}

    /** Accepted, and the result checked by {@code check} (the value the action returned). */
    record Survives(java.util.function.Consumer<Object> check) implements Outcome {}

    static Outcome error(Class<? extends Throwable> type, String... mentions) { return new Error(type, List.of(mentions)); }

    static Outcome survives() { return new Survives(v -> {}); }

    static Outcome survives(Object expected) { return new Survives(v -> assertEquals(expected, v)); }

    /** One row: what is done with the bad input, and what must happen. */
    record Case(String name, ThrowingSupplier<?> action, Outcome outcome) {}

    private final List<Case> cases = new ArrayList<>();

    Catalogue add(String name, Outcome outcome, ThrowingSupplier<?> action) {
        cases.add(new Case(name, action, outcome));
        return this;
    }

    int size() { return cases.size(); }

    Stream<DynamicTest> tests() {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name() + " -> " + describe(c.outcome()), () -> run(c)));
    }

    private static String describe(Outcome o) {
        return switch (o) {
            case Error e -> e.type().getSimpleName() + (e.mentions().isEmpty() ? "" : " naming " + e.mentions());
            case Survives s -> "survives";
        };
    }

    private static void run(Case c) {
        switch (c.outcome()) {
            case Error e -> {
                Throwable t = assertThrows(e.type(), c.action()::get, c.name());
                for (String m : e.mentions()) {
                    assertTrue(t.getMessage() != null && t.getMessage().contains(m),
                            c.name() + ": the error must name '" + m + "': " + t.getMessage());
                }
            }
            case Survives s -> s.check().accept(assertDoesNotThrow(c.action(), c.name()));
        }
    }
}
