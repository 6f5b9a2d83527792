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
    public const string CategoriesAndLabels = "categories_and_label_data.json5";
    public const string ModelsFolder = "models/";
    public const string AnnotationsFile = "annotations.json5";
    public const string AnnotationSetsFile = "annotation_sets.json5";
    public const string PagesFile = "pages.json5";

    private readonly ZipArchive zip;
    private readonly string root;
    private readonly Dictionary<string, ZipArchiveEntry> entries;
    private readonly Dictionary<string, List<string>> documentEntries;

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

        // The zip's index is read once; a document's entries are then found by lookup, not by a scan per document.
        documentEntries = entries.Keys
            .Select(k => (Path: k, Document: DocumentOf(k)))
            .Where(e => e.Document is not null)
            .GroupBy(e => e.Document!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Path).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
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

        var export = new KonfuzioExport(zip, RootOf(zip.Entries.Select(e => e.FullName)));
        export.Layout = DetectLayout(export);
        return export;
    }

    /// <summary>The folder the export is in (<c>""</c> or <c>"name/"</c>): where the shallowest documents_meta.json5 is.</summary>
    public static string RootOf(IEnumerable<string> entryNames)
    {
        var meta = entryNames
            .Where(name => name.Count(c => c == '/') <= 1 && (name == DocumentsMeta || name.EndsWith("/" + DocumentsMeta, StringComparison.Ordinal)))
            .OrderBy(name => name.Length)
            .FirstOrDefault()
            ?? throw new ImportValidationException("", $"the zip is not a Konfuzio project export: {DocumentsMeta} not found at its root or in a top-level folder.");
        return meta[..^DocumentsMeta.Length];
    }

    /// <summary>The id of the document whose folder holds <paramref name="path"/> (relative to the root, normalized), or null.</summary>
    public static string? DocumentOf(string path)
    {
        var parts = path.Split('/');
        return parts.Length == 3 && parts[0] == "documents" ? parts[1] : null;
    }

    /// <summary>Which layout the export is in: the SDK's loader takes the legacy files whenever one of them is there.</summary>
    public KonfuzioLayout Layout { get; private set; }

    private static KonfuzioLayout DetectLayout(KonfuzioExport export)
    {
        if (export.Exists(Labels) || export.Exists(LabelSets))
        {
            var missing = new[] { Labels, LabelSets }.FirstOrDefault(f => !export.Exists(f));
            return missing is null
                ? KonfuzioLayout.Legacy
                : throw new ImportValidationException(missing, $"missing: an export in the legacy layout needs both {Labels} and {LabelSets}.");
        }

        return export.Exists(CategoriesAndLabels)
            ? KonfuzioLayout.Current
            : throw new ImportValidationException(CategoriesAndLabels,
                $"missing: a Konfuzio project export needs {DocumentsMeta} and either {CategoriesAndLabels} (current SDK layout) or {Labels} and {LabelSets} (legacy layout).");
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

    public bool HasDocumentFolder(string documentId) => documentEntries.ContainsKey(documentId);

    /// <summary>Files of a document other than its JSON5 descriptions: text, boxes, page images, originals.</summary>
    public IEnumerable<string> DocumentFiles(string documentId) =>
        documentEntries.TryGetValue(documentId, out var paths)
            ? paths.Where(k => !k.EndsWith(".json5", StringComparison.Ordinal))
            : [];

    /// <summary>AI model files of an export made with <c>--include_ai</c>: <c>models/&lt;type&gt;_ais/&lt;file&gt;</c>.</summary>
    public IEnumerable<string> ModelFiles() =>
        entries.Keys.Where(k => k.StartsWith(ModelsFolder, StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    /// <summary>Project-level files kept as they are: the regex folder, and files under models/ that are not AIs.</summary>
    public IEnumerable<string> ProjectFiles() =>
        entries.Keys.Where(k => k.StartsWith("regex/", StringComparison.Ordinal)
                || (k.StartsWith(ModelsFolder, StringComparison.Ordinal) && KonfuzioModels.Describe(k).Ai is null))
            .Order(StringComparer.Ordinal);
}

public enum KonfuzioLayout
{
    /// <summary>API v2 exports (and the SDK's test data): labels.json5 and label_sets.json5, categories are default label sets.</summary>
    Legacy,

    /// <summary>SDK 0.3.0 and later (API v3): categories_and_label_data.json5, categories with their label sets and labels.</summary>
    Current,
}
