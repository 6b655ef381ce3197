package dev.tare.data.hub;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A Hugging Face Hub repository at a revision: {@code org/name} (a model or a dataset) and a branch, tag or commit
 * ({@code main} unless {@code org/name@REV} names one). Its cache folder name is huggingface_hub's
 * ({@code models--org--name}, {@code datasets--org--name}).
 */
public record HubRepo(Type type, String id, String revision) {
    /** Repository kinds: the cache folder prefix and the URL / API path segment. */
    public enum Type {
        MODEL("models", ""), DATASET("datasets", "datasets/");

        final String plural;
        final String urlPrefix;

        Type(String plural, String urlPrefix) {
            this.plural = plural;
            this.urlPrefix = urlPrefix;
        }
    }

    /** The default revision, huggingface_hub's {@code DEFAULT_REVISION}. */
    public static final String MAIN = "main";

    // huggingface_hub's validate_repo_id: [\w\-.]+ on each side of one "/", no "--" or "..", not ending ".git",
    // at most 96 characters. tare asks for the org part (a bare "gpt2" is too easily a mistyped folder).
    private static final Pattern ID = Pattern.compile("[\\w.-]+/[\\w.-]+");
    private static final Pattern REV = Pattern.compile("[\\w./-]+");
    static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    public HubRepo {
        if (!isRepoId(id)) throw new IllegalArgumentException("'" + id + "' is not a Hugging Face repo id (org/name)");
        if (revision == null || !REV.matcher(revision).matches() || revision.contains(".."))
            throw new IllegalArgumentException("'" + revision + "' is not a revision (a branch, tag or commit)");
    }

    /** Parses {@code org/name} or {@code org/name@REV}; anything else is an {@link IllegalArgumentException}. */
    public static HubRepo parse(Type type, String name) {
        int at = name.indexOf('@');
        return at < 0 ? new HubRepo(type, name, MAIN) : new HubRepo(type, name.substring(0, at), name.substring(at + 1));
    }

    /** Whether {@code name} has the shape {@code org/name[@REV]} (says nothing about the repo existing). */
    public static boolean looksLikeName(String name) {
        int at = name.indexOf('@');
        String id = at < 0 ? name : name.substring(0, at);
        return isRepoId(id) && (at < 0 || REV.matcher(name.substring(at + 1)).matches());
    }

    private static boolean isRepoId(String id) {
        return id != null && id.length() <= 96 && ID.matcher(id).matches() && !id.contains("--") && !id.contains("..")
                && !id.endsWith(".git") && !id.startsWith(".") && !id.contains("/.") && !id.endsWith(".");
    }

    /** The cache folder's name: {@code models--org--name} (huggingface_hub's {@code repo_folder_name}). */
    public String folderName() { return type.plural + "--" + id.replace("/", "--"); }

    /** Whether the revision is a full commit hash (then the cache needs no ref to find its snapshot). */
    public boolean revisionIsCommit() { return COMMIT.matcher(revision).matches(); }

    /** {@code org/name} for models, {@code datasets/org/name} for datasets: the path of its pages and files. */
    public String urlPath() { return type.urlPrefix + id; }

    /** What messages call it: {@code org/name} (model) or {@code dataset org/name}, with {@code @REV} when not main. */
    @Override public String toString() {
        return (type == Type.DATASET ? "dataset " : "") + id + (revision.equals(MAIN) ? "" : "@" + revision);
    }

    String kind() { return type.name().toLowerCase(Locale.ROOT); }
}
