using System.IO.Compression;
using Snapshots.Naming;

namespace Snapshots.Imports;

/// <summary>
/// A Konfuzio SDK project export inside a zip: found at the archive root or inside one top-level folder.
/// Paths given to and reported by it are relative to the export's root.
/// </summary>
internal sealed class KonfuzioExport
{
    public const string DocumentsMeta = "documents_meta.json5";
    public const string Labels = "labels.json5";
    public const string LabelSets = "label_sets.json5";
    public const string AnnotationsFile = "annotations.json5";
    public const string AnnotationSetsFile = "annotation_sets.json5";
    public const string PagesFile = "pages.json5";

    private readonly ZipArchive zip;
    private readonly string root;
    private readonly Dictionary<string, ZipArchiveEntry> entries;
    private readonly HashSet<string> documentFolders;

    private KonfuzioExport(ZipArchive zip, string root)
    {
        this.zip = zip;
        this.root = root;
        entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith(root, StringComparison.Ordinal) && !e.FullName.EndsWith('/')))
        {
            // Entry paths become blob names (regex/..., documents/<id>/<file>): in their NFC form, each once.
            if (!entries.TryAdd(NamePolicy.Normalize(entry.FullName[root.Length..]), entry))
            {
                throw new ImportValidationException("", $"the export has the entry '{entry.FullName}' twice.");
            }
        }

        documentFolders = entries.Keys
            .Select(k => k.Split('/'))
            .Where(parts => parts.Length == 3 && parts[0] == "documents")
            .Select(parts => parts[1])
            .ToHashSet(StringComparer.Ordinal);
    }

    public static KonfuzioExport Open(ZipArchive zip)
    {
        foreach (var entry in zip.Entries)
        {
            if (NamePolicy.EntryProblem(entry) is { } problem)
            {
                throw new ImportValidationException("", $"the export has an unsafe entry: {problem}.");
            }
        }

        var meta = zip.Entries
            .Where(e => e.Name == DocumentsMeta && e.FullName.Count(c => c == '/') <= 1)
            .OrderBy(e => e.FullName.Length)
            .FirstOrDefault()
            ?? throw new ImportValidationException("", $"the zip is not a Konfuzio project export: {DocumentsMeta} not found at its root or in a top-level folder.");
        var export = new KonfuzioExport(zip, meta.FullName[..^DocumentsMeta.Length]);
        foreach (var required in new[] { Labels, LabelSets })
        {
            if (!export.Exists(required))
            {
                throw new ImportValidationException(required, "missing: a Konfuzio project export needs labels.json5, label_sets.json5 and documents_meta.json5.");
            }
        }

        return export;
    }

    public ZipArchive Archive => zip;

    public bool Exists(string path) => entries.ContainsKey(path);

    /// <summary>Every entry's path (relative to the export's root).</summary>
    public IEnumerable<string> Paths => entries.Keys;

    public Stream Open(string path) =>
        entries.TryGetValue(path, out var entry)
            ? DamageReportingStream.Open(entry, reason => new ImportValidationException(path, $"the entry is damaged ({reason.TrimEnd('.')})."))
            : throw new ImportValidationException(path, "missing from the export.");

    public long Length(string path) => entries[path].Length;

    public static string DocumentFolder(string documentId) => $"documents/{documentId}/";

    public bool HasDocumentFolder(string documentId) => documentFolders.Contains(documentId);

    /// <summary>Files of a document other than its JSON5 descriptions: text, boxes, page images, originals.</summary>
    public IEnumerable<string> DocumentFiles(string documentId)
    {
        var folder = DocumentFolder(documentId);
        return entries.Keys
            .Where(k => k.StartsWith(folder, StringComparison.Ordinal) && !k[folder.Length..].Contains('/'))
            .Where(k => !k.EndsWith(".json5", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Project-level files kept as they are (the regex folder of an export).</summary>
    public IEnumerable<string> ProjectFiles() =>
        entries.Keys.Where(k => k.StartsWith("regex/", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
}
