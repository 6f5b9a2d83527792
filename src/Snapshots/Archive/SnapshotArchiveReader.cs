using System.IO.Compression;
using System.Text.Json;
using Snapshots.Imports;
using Snapshots.Naming;

namespace Snapshots.Archive;

/// <summary>
/// Reads a snapshot archive and treats it as hostile: before anything is restored, <see cref="VerifyAsync"/>
/// checks the format version, the entry names, that every entry is in the manifest with the right size and
/// SHA-256, that the counts are exact, and the size limits. Entries are streamed, never held whole.
/// </summary>
public sealed class SnapshotArchiveReader : IDisposable
{
    private readonly ZipArchive zip;
    private readonly Dictionary<string, ZipArchiveEntry> entries;

    private SnapshotArchiveReader(ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, SnapshotManifest manifest)
    {
        this.zip = zip;
        this.entries = entries;
        Manifest = manifest;
    }

    public SnapshotManifest Manifest { get; }

    /// <summary>Opens an archive: entry names and the manifest are checked here, contents by <see cref="VerifyAsync"/>.</summary>
    public static SnapshotArchiveReader Open(Stream seekableArchive, ImportOptions limits)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(seekableArchive, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IOException)
        {
            throw new ArchiveValidationException("The archive is not a zip file.");
        }

        try
        {
            // Read on first use: a damaged central directory is the archive's fault, not a failure to retry.
            _ = zip.Entries;
        }
        catch (InvalidDataException ex)
        {
            zip.Dispose();
            throw new ArchiveValidationException($"The archive's zip directory is damaged ({ex.Message.TrimEnd('.')}).");
        }

        try
        {
            CheckLimits(zip, limits);
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            var normalized = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (NamePolicy.EntryProblem(entry) is { } problem)
                {
                    throw new ArchiveValidationException($"The archive has an unsafe entry: {problem}.");
                }

                if (!normalized.Add(NamePolicy.Normalize(entry.FullName)) || !entries.TryAdd(entry.FullName, entry))
                {
                    throw new ArchiveValidationException($"The archive has the entry '{entry.FullName}' twice.");
                }
            }

            var manifest = ReadManifest(entries);
            return new SnapshotArchiveReader(zip, entries, manifest);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    public bool Has(string path) => entries.ContainsKey(path);

    /// <summary>Whether <paramref name="records"/>, read from the same archive, list the entries this reader verifies, in its order.</summary>
    internal bool ListsSameEntriesAs(ZipDirectoryRecords records) => records.ListSameEntriesAs(zip);

    /// <summary>The uncompressed size of an entry.</summary>
    public long Length(string path) => Entry(path).Length;

    public Stream OpenEntry(string path) => Open(Entry(path));

    private static Stream Open(ZipArchiveEntry entry) =>
        DamageReportingStream.Open(entry, reason => new ArchiveValidationException($"The archive entry '{entry.FullName}' is damaged ({reason.TrimEnd('.')})."));

    private ZipArchiveEntry Entry(string path) =>
        entries.TryGetValue(path, out var entry) ? entry : throw new ArchiveValidationException($"The archive has no entry '{path}'.");

    /// <summary>Reads the items of an NDJSON entry one line at a time; a missing entry reads as empty.</summary>
    public async IAsyncEnumerable<T> ReadNdjsonAsync<T>(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Has(path))
        {
            yield break;
        }

        using var reader = new StreamReader(OpenEntry(path));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                yield return JsonSerializer.Deserialize<T>(line, Configuration.SnapshotsJson.Options)!;
            }
        }
    }

    /// <summary>Most bytes of one file index part: the writer puts 10 000 files in each, about 1.5 MB.</summary>
    public const int MaxIndexPartBytes = 16 * 1024 * 1024;

    /// <summary>Entries verified by <see cref="VerifyAsync"/> (the manifest not counted).</summary>
    public int VerifiedEntries { get; private set; }

    /// <summary>Bytes of the files verified by <see cref="VerifyAsync"/>.</summary>
    public long FileBytes { get; private set; }

    /// <summary>
    /// Checks the whole archive in one pass before anything is written: every entry is listed (in the manifest, or
    /// for files of version 2 in a file index part the manifest lists) with the right size and SHA-256, the counts are
    /// exact, and the content holds together (<see cref="ArchiveContentValidator"/>: every line parses, ids are
    /// well-formed and unique, every reference resolves). A failure names the entry and the line.
    /// </summary>
    public async Task VerifyAsync(CancellationToken cancellationToken)
    {
        if (Manifest.Parts.GroupBy(p => p.Path, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArchiveValidationException($"The manifest lists '{twice.Key}' twice.");
        }

        var parts = Manifest.Parts.ToDictionary(p => p.Path, StringComparer.Ordinal);
        var indexed = Manifest.Version >= 2;
        (VerifiedEntries, FileBytes) = (0, 0);
        foreach (var path in entries.Keys.Where(p => p != ArchiveEntries.Manifest && !(indexed && IsFile(p))))
        {
            if (!parts.ContainsKey(path))
            {
                throw new ArchiveValidationException($"The entry '{path}' is not listed in the manifest.");
            }
        }

        var content = new ArchiveContentValidator();
        var files = new HashSet<ZipArchiveEntry>(ReferenceEqualityComparer.Instance);
        foreach (var part in Manifest.Parts.OrderBy(p => ArchiveContentValidator.Order(p.Path)))
        {
            var entry = Listed(part, "The manifest");
            if (indexed && IsIndex(part.Path))
            {
                foreach (var file in await ReadIndexAsync(part, entry, cancellationToken))
                {
                    await VerifyFileAsync(file, Listed(file, $"'{part.Path}'"), content, files, cancellationToken);
                }
            }
            else if (IsFile(part.Path))
            {
                await VerifyFileAsync(part, entry, content, files, cancellationToken);
                continue;
            }
            else
            {
                await VerifyPartAsync(part, entry, content, cancellationToken);
            }

            VerifiedEntries++;
        }

        if (entries.Values.FirstOrDefault(e => IsFile(e.FullName) && !files.Contains(e)) is { } unlisted)
        {
            throw new ArchiveValidationException($"The entry '{unlisted.FullName}' is not listed in the manifest.");
        }

        content.Complete();
        CheckCounts(parts, files.Count);
    }

    private static bool IsFile(string path) => path.StartsWith(ArchiveEntries.FilesFolder, StringComparison.Ordinal);

    private static bool IsIndex(string path) => path.StartsWith(ArchiveEntries.IndexFolder, StringComparison.Ordinal);

    /// <summary>The entry a listing names: a safe path that the archive has.</summary>
    private ZipArchiveEntry Listed(ManifestPart part, string lister)
    {
        if (NamePolicy.PathProblem(part.Path) is { } problem)
        {
            throw new ArchiveValidationException($"{lister} lists an unsafe entry: {problem}.");
        }

        return entries.TryGetValue(part.Path, out var entry)
            ? entry
            : throw new ArchiveValidationException($"{lister} lists '{part.Path}', which is not in the archive.");
    }

    private async Task VerifyFileAsync(
        ManifestPart file, ZipArchiveEntry entry, ArchiveContentValidator content, HashSet<ZipArchiveEntry> files, CancellationToken cancellationToken)
    {
        if (!files.Add(entry))
        {
            throw new ArchiveValidationException($"The file '{file.Path}' is listed twice.");
        }

        await VerifyPartAsync(file, entry, content, cancellationToken);
        FileBytes += file.Bytes;
        VerifiedEntries++;
    }

    /// <summary>
    /// A file index part, checked whole before one of its lines is trusted: it is read into memory (bounded by
    /// <see cref="MaxIndexPartBytes"/>), so its files can then be read without seeking back and forth.
    /// </summary>
    private static async Task<List<ManifestPart>> ReadIndexAsync(ManifestPart part, ZipArchiveEntry entry, CancellationToken cancellationToken)
    {
        if (part.Bytes > MaxIndexPartBytes || entry.Length > MaxIndexPartBytes)
        {
            throw new ArchiveValidationException($"'{part.Path}' is larger than {MaxIndexPartBytes / 1024 / 1024} MiB.");
        }

        using var buffer = new MemoryStream();
        using (var stream = new HashingReadStream(Open(entry)))
        {
            await stream.CopyToAsync(buffer, cancellationToken);
            CheckChecksum(part, stream);
            CheckItems(part, stream);
        }

        buffer.Position = 0;
        var files = new List<ManifestPart>(Math.Min(part.Items, ArchiveAssembler.FilesPerIndexPart));
        var number = 0;
        await foreach (var line in BoundedLineReader.ReadLinesAsync(buffer, part.Path, cancellationToken))
        {
            number++;
            ManifestPart? file;
            try
            {
                file = JsonSerializer.Deserialize<ManifestPart>(line, Configuration.SnapshotsJson.Options);
            }
            catch (JsonException ex)
            {
                throw new ArchiveValidationException($"{part.Path} line {number}: not a valid file listing: {ex.Message.Split(". ")[0]}.");
            }

            if (file is not { Path: not null, Sha256: not null, Bytes: >= 0 } || !IsFile(file.Path))
            {
                throw new ArchiveValidationException($"{part.Path} line {number}: a file listing needs a path under {ArchiveEntries.FilesFolder}, a sha256 and its bytes.");
            }

            files.Add(file);
        }

        return files;
    }

    private static void CheckChecksum(ManifestPart part, HashingReadStream read)
    {
        if (read.Bytes != part.Bytes || !string.Equals(read.Sha256Hex(), part.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArchiveValidationException($"Checksum mismatch for '{part.Path}': the archive is damaged or was changed.");
        }
    }

    private static void CheckItems(ManifestPart part, HashingReadStream read)
    {
        if (read.Lines != part.Items)
        {
            throw new ArchiveValidationException($"'{part.Path}' has {read.Lines} items; the manifest says {part.Items}.");
        }
    }

    /// <summary>Reads one entry once: its lines go to the content checks while its bytes are hashed.</summary>
    private static async Task VerifyPartAsync(ManifestPart part, ZipArchiveEntry entry, ArchiveContentValidator content, CancellationToken cancellationToken)
    {
        using var stream = new HashingReadStream(Open(entry));
        ArchiveValidationException? contentError = null;
        if (ArchiveContentValidator.ReadsLines(part.Path))
        {
            var number = 0;
            try
            {
                await foreach (var line in BoundedLineReader.ReadLinesAsync(stream, part.Path, cancellationToken))
                {
                    number++;
                    if (line.Length > 0)
                    {
                        content.Line(part.Path, number, line);
                    }
                }
            }
            catch (ArchiveValidationException ex)
            {
                // A damaged entry is reported as damaged, not by the first line that the damage broke.
                contentError = ex;
            }
        }

        await stream.DrainAsync(cancellationToken);
        CheckChecksum(part, stream);
        if (contentError is not null)
        {
            throw contentError;
        }

        if (part.Path.EndsWith(".ndjson", StringComparison.Ordinal))
        {
            CheckItems(part, stream);
        }

        if (!ArchiveContentValidator.ReadsLines(part.Path))
        {
            content.File(part.Path);
        }
    }

    public void Dispose() => zip.Dispose();

    private void CheckCounts(Dictionary<string, ManifestPart> parts, int files)
    {
        int ItemsOf(string path) => parts.TryGetValue(path, out var part) ? part.Items : 0;
        var counts = Manifest.Counts;
        var expected = new (string Name, int Declared, int Actual)[]
        {
            ("categories", counts.Categories, ItemsOf(ArchiveEntries.Categories)),
            ("labels", counts.Labels, ItemsOf(ArchiveEntries.Labels)),
            ("labelSets", counts.LabelSets, ItemsOf(ArchiveEntries.LabelSets)),
            ("documents", counts.Documents, ItemsOf(ArchiveEntries.Documents)),
            ("annotationSets", counts.AnnotationSets, ItemsOf(ArchiveEntries.AnnotationSets)),
            ("annotations", counts.Annotations, ItemsOf(ArchiveEntries.Annotations)),
            ("ais", counts.Ais, ItemsOf(ArchiveEntries.Ais)),
            ("files", counts.Files, files),
        };
        foreach (var (name, declared, actual) in expected)
        {
            if (declared != actual)
            {
                throw new ArchiveValidationException($"The manifest counts {declared} {name}; the archive holds {actual}.");
            }
        }
    }

    private static SnapshotManifest ReadManifest(Dictionary<string, ZipArchiveEntry> entries)
    {
        if (!entries.TryGetValue(ArchiveEntries.Manifest, out var entry))
        {
            throw new ArchiveValidationException("The archive has no manifest.json: it is not a snapshot, or it was not completed.");
        }

        if (entry.Length > 64L * 1024 * 1024)
        {
            throw new ArchiveValidationException("manifest.json is larger than 64 MiB.");
        }

        SnapshotManifest? manifest;
        try
        {
            using var stream = Open(entry);
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;
            if (!root.TryGetProperty("format", out var format) || format.GetString() != SnapshotManifest.FormatName)
            {
                throw new ArchiveValidationException("manifest.json is not a snapshot manifest (format must be \"snapshot\").");
            }

            if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var major) || !SnapshotManifest.IsReadable(major))
            {
                throw new ArchiveValidationException(
                    $"The archive has format version {(root.TryGetProperty("version", out var v) ? v.ToString() : "none")}; this service reads versions 1 and {SnapshotManifest.CurrentVersion}.");
            }

            manifest = root.Deserialize<SnapshotManifest>(Configuration.SnapshotsJson.Options);
        }
        catch (JsonException ex)
        {
            throw new ArchiveValidationException($"manifest.json is not valid: {ex.Message.Split(". ")[0]}.");
        }

        if (manifest is null)
        {
            throw new ArchiveValidationException("manifest.json is empty.");
        }

        // Required in the format, but JSON null gets past the deserializer.
        if (manifest.Source is not { Environment.Length: > 0, ProjectId.Length: > 0 } || manifest.Parts is null || manifest.Counts is null || manifest.Modes is null
            || manifest.Parts.Any(p => p is null || p.Path is null || p.Sha256 is null))
        {
            throw new ArchiveValidationException("manifest.json is not valid: source (environment, projectId), counts, modes and parts are required.");
        }

        return manifest;
    }

    private static void CheckLimits(ZipArchive zip, ImportOptions limits)
    {
        try
        {
            ArchiveLimits.Check(zip, limits);
        }
        catch (ImportTooLargeException ex)
        {
            throw new ArchiveTooLargeException(ex.Message);
        }
    }
}

/// <summary>An archive past the configured limits (entries, uncompressed size, compression ratio).</summary>
public sealed class ArchiveTooLargeException(string message) : Errors.TooLargeException(message);
