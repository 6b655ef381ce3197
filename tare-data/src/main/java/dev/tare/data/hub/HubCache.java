package dev.tare.data.hub;

import dev.tare.data.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Hugging Face cache layout, as huggingface_hub writes and reads it: under the cache root, one folder per repo
 * ({@code models--org--name}) holding {@code blobs/<etag>} (file contents, named by the normalized ETag: the sha256
 * of an LFS file, the git blob sha1 of another), {@code refs/<revision>} (the commit a branch or tag pointed to, no
 * newline) and {@code snapshots/<commit>/<path>} (relative symlinks into {@code ../../blobs}). A blob being
 * downloaded is {@code blobs/<etag>.incomplete}.
 */
public record HubCache(Path root) {

    /** The repo's cache folder. */
    public Path repoFolder(HubRepo repo) { return root.resolve(repo.folderName()); }

    public Path blob(HubRepo repo, String etag) { return repoFolder(repo).resolve("blobs").resolve(etag); }

    public Path incomplete(HubRepo repo, String etag) { return repoFolder(repo).resolve("blobs").resolve(etag + ".incomplete"); }

    public Path snapshot(HubRepo repo, String commit) { return repoFolder(repo).resolve("snapshots").resolve(commit); }

    public Path ref(HubRepo repo) { return repoFolder(repo).resolve("refs").resolve(repo.revision()); }

    /** The commit the repo's revision points to in this cache: the revision itself when it is a commit, else its ref. */
    public Optional<String> commit(HubRepo repo) {
        if (repo.revisionIsCommit()) return Optional.of(repo.revision());
        Path ref = ref(repo);
        if (!Files.isRegularFile(ref)) return Optional.empty();
        try {
            String c = Files.readString(ref, StandardCharsets.UTF_8).strip();
            if (!HubRepo.COMMIT.matcher(c).matches())
                throw new HubException(ref + ": expected a 40-hex commit hash, found '" + c + "' (a damaged cache ref)");
            return Optional.of(c);
        } catch (IOException e) {
            throw new UncheckedIOException(ref + ": " + e.getMessage(), e);
        }
    }

    /** Records that the repo's revision points to {@code commit} (not for commit revisions), written all-or-nothing. */
    public void writeRef(HubRepo repo, String commit) {
        if (repo.revision().equals(commit)) return;
        Path ref = ref(repo);
        try {
            if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).equals(commit)) return;
            Files.createDirectories(ref.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(ref + ": " + e.getMessage(), e);
        }
        AtomicFiles.writeString(ref, commit);
    }

    /**
     * Points {@code snapshots/<commit>/<file>} at {@code blobs/<etag>} with a relative symlink (huggingface_hub's
     * {@code _create_symlink}); where the file system has no symlinks, the blob is copied there instead.
     */
    public Path link(HubRepo repo, String commit, String file, String etag) throws IOException {
        Path pointer = snapshot(repo, commit).resolve(file);
        Path blob = blob(repo, etag);
        Files.createDirectories(pointer.getParent());
        Path tmp = pointer.resolveSibling(pointer.getFileName() + ".tare-link");
        Files.deleteIfExists(tmp);
        try {
            Files.createSymbolicLink(tmp, pointer.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(blob, tmp);
        }
        AtomicFiles.move(tmp, pointer);
        return pointer;
    }

    /** Whether the snapshot holds {@code file} and it reads (a symlink whose blob is gone does not). */
    public boolean has(HubRepo repo, String commit, String file) {
        return Files.isRegularFile(snapshot(repo, commit).resolve(file));
    }
}
