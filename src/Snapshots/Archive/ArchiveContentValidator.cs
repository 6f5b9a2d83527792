using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Snapshots.Configuration;
using Snapshots.Naming;
using Snapshots.Projects;

namespace Snapshots.Archive;

/// <summary>
/// Checks what an archive says, not only that its bytes are intact: every NDJSON line parses into its entity, ids are
/// well-formed and unique per kind (annotation sets and annotations: per document), and every reference resolves
/// inside the archive. Entries are fed in dependency order (<see cref="Order"/>), one line at a time. It keeps ids,
/// not entities: the schema's ids as strings, documents' as strings, and 64-bit hashes of the per-document keys of
/// annotation sets, annotations and document files, so memory grows by a few bytes per item and never holds content.
/// </summary>
internal sealed class ArchiveContentValidator
{
    private readonly HashSet<string> categories = new(StringComparer.Ordinal);
    private readonly HashSet<string> labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Line, List<string> Labels, List<string> Categories)> labelSets = new(StringComparer.Ordinal);
    private readonly HashSet<string> documents = new(StringComparer.Ordinal);
    private readonly HashSet<string> ais = new(StringComparer.Ordinal);
    private readonly HashSet<ulong> annotationSets = [];
    private readonly List<(int Line, string SetId, string ParentId, ulong Parent)> parents = [];
    private readonly HashSet<ulong> annotations = [];
    private readonly HashSet<ulong> documentFiles = [];
    private readonly HashSet<string> aiFiles = new(StringComparer.Ordinal);
    private readonly HashSet<string> projectFiles = new(StringComparer.Ordinal);
    private int projects;

    // Nulls where the model has none (an id, a list) are refused as the line's fault, not met later as a crash.
    private static readonly JsonSerializerOptions Strict = new(SnapshotsJson.Options) { RespectNullableAnnotations = true };

    /// <summary>The order entries are checked in: what is referred to comes before what refers to it; other entries last.</summary>
    public static int Order(string path) => path switch
    {
        ArchiveEntries.Project => 0,
        ArchiveEntries.Categories => 1,
        ArchiveEntries.Labels => 2,
        ArchiveEntries.LabelSets => 3,
        ArchiveEntries.Documents => 4,
        ArchiveEntries.AnnotationSets => 5,
        ArchiveEntries.Annotations => 6,
        ArchiveEntries.Ais => 7,
        _ => 8,
    };

    public static bool ReadsLines(string path) => Order(path) < 8;

    /// <summary>Checks one line of <paramref name="path"/> (1-based <paramref name="line"/>).</summary>
    public void Line(string path, int line, string text)
    {
        try
        {
            Check(path, line, text);
        }
        catch (Exception ex) when (ex is not ArchiveValidationException)
        {
            throw Fail(path, line, $"not a valid item ({ex.GetType().Name})");
        }
    }

    /// <summary>File names become blob names on restore: the name policy's relative paths only.</summary>
    private static string FileName(string path, int line, string name) =>
        NamePolicy.PathProblem(name) is { } problem ? throw Fail(path, line, $"a file has an unsafe name: {problem}") : name;

    private void Check(string path, int line, string text)
    {
        switch (path)
        {
            case ArchiveEntries.Project:
                if (++projects > 1)
                {
                    throw Fail(path, line, "an archive holds one project");
                }

                foreach (var file in Parse<Project>(path, line, text).Files)
                {
                    projectFiles.Add(FileName(path, line, file.Name));
                }

                break;
            case ArchiveEntries.Categories:
                Unique(categories, Id(path, line, "category", Parse<Category>(path, line, text).Id), path, line, "category");
                break;
            case ArchiveEntries.Labels:
                Unique(labels, Id(path, line, "label", Parse<Label>(path, line, text).Id), path, line, "label");
                break;
            case ArchiveEntries.LabelSets:
                var set = Parse<LabelSet>(path, line, text);
                if (!labelSets.TryAdd(Id(path, line, "label set", set.Id), (line, set.LabelIds, set.CategoryIds)))
                {
                    throw Fail(path, line, $"label set '{set.Id}' appears twice");
                }

                break;
            case ArchiveEntries.Documents:
                var document = Parse<Document>(path, line, text);
                Unique(documents, Id(path, line, "document", document.Id), path, line, "document");
                Resolves(categories, document.CategoryId, path, line, $"document '{document.Id}'", "category");
                foreach (var file in document.Files)
                {
                    documentFiles.Add(Key(document.Id, FileName(path, line, file.Name)));
                }

                break;
            case ArchiveEntries.AnnotationSets:
                var annotationSet = Parse<AnnotationSet>(path, line, text);
                var setOwner = $"annotation set '{annotationSet.Id}'";
                Id(path, line, "annotation set", annotationSet.Id);
                Resolves(documents, annotationSet.DocumentId, path, line, setOwner, "document");
                Resolves(labelSets.Keys, annotationSet.LabelSetId, path, line, setOwner, "label set");
                if (!annotationSets.Add(Key(annotationSet.DocumentId, annotationSet.Id)))
                {
                    throw Fail(path, line, $"annotation set '{annotationSet.Id}' appears twice in document '{annotationSet.DocumentId}'");
                }

                if (annotationSet.ParentId is { } parentId)
                {
                    // A parent may come after its child in the entry: checked once all sets are known.
                    parents.Add((line, annotationSet.Id, Truncate(parentId), Key(annotationSet.DocumentId, parentId)));
                }

                break;
            case ArchiveEntries.Annotations:
                var annotation = Parse<Annotation>(path, line, text);
                var owner = $"annotation '{annotation.Id}'";
                Id(path, line, "annotation", annotation.Id);
                Resolves(documents, annotation.DocumentId, path, line, owner, "document");
                Resolves(labels, annotation.LabelId, path, line, owner, "label");
                Resolves(labelSets.Keys, annotation.LabelSetId, path, line, owner, "label set");
                if (annotation.AnnotationSetId is { } setId && !annotationSets.Contains(Key(annotation.DocumentId, setId)))
                {
                    throw Fail(path, line, $"{owner} points to annotation set '{setId}', which document '{annotation.DocumentId}' does not have in the archive");
                }

                if (!annotations.Add(Key(annotation.DocumentId, annotation.Id)))
                {
                    throw Fail(path, line, $"annotation '{annotation.Id}' appears twice in document '{annotation.DocumentId}'");
                }

                break;
            case ArchiveEntries.Ais:
                var ai = Parse<AiModel>(path, line, text);
                Unique(ais, Id(path, line, "AI", ai.Id), path, line, "AI");
                Resolves(categories, ai.CategoryId, path, line, $"AI '{ai.Id}'", "category");
                foreach (var file in ai.Files)
                {
                    aiFiles.Add($"{ai.Id}/{FileName(path, line, file.Name)}");
                }

                break;
        }
    }

    /// <summary>Checks an entry that is not NDJSON: a file must belong to an owner in the archive that lists it.</summary>
    public void File(string path)
    {
        var segments = path.Split('/');
        var owned = segments switch
        {
            ["files", "documents", var document, .. var name] => documentFiles.Contains(Key(document, string.Join('/', name))),
            ["files", "ais", var ai, .. var name] => aiFiles.Contains($"{ai}/{string.Join('/', name)}"),
            ["files", "project", .. var name] => projectFiles.Contains(string.Join('/', name)),
            _ => !path.StartsWith(ArchiveEntries.FilesFolder, StringComparison.Ordinal),
        };
        if (!owned)
        {
            throw new ArchiveValidationException($"'{path}': the file belongs to no document, AI or project of the archive that lists it.");
        }
    }

    /// <summary>The references that can only be checked once the whole schema is known.</summary>
    public void Complete()
    {
        foreach (var (line, setId, parentId, parent) in parents)
        {
            if (!annotationSets.Contains(parent))
            {
                throw Fail(ArchiveEntries.AnnotationSets, line, $"annotation set '{setId}' has the parent '{parentId}', which its document does not have in the archive");
            }
        }

        foreach (var (id, (line, members, linkedCategories)) in labelSets)
        {
            foreach (var label in members)
            {
                Resolves(labels, label, ArchiveEntries.LabelSets, line, $"label set '{id}'", "label");
            }

            foreach (var category in linkedCategories)
            {
                Resolves(categories, category, ArchiveEntries.LabelSets, line, $"label set '{id}'", "category");
            }
        }
    }

    private static T Parse<T>(string path, int line, string text)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, Strict) ?? throw Fail(path, line, "the line is null, not an object");
        }
        catch (JsonException ex)
        {
            throw Fail(path, line, $"not a valid {typeof(T).Name}: {ex.Message.Split(". ")[0]}");
        }
    }

    private static string Id(string path, int line, string kind, string id) =>
        EntityIds.IsValid(id) ? id : throw Fail(path, line, $"the {kind} id '{Truncate(id)}' is not well-formed ({EntityIds.Rule})");

    private static void Unique(HashSet<string> seen, string id, string path, int line, string kind)
    {
        if (!seen.Add(id))
        {
            throw Fail(path, line, $"{kind} '{id}' appears twice");
        }
    }

    private static void Resolves(IEnumerable<string> known, string? id, string path, int line, string owner, string kind)
    {
        if (id is not null && !(known is ICollection<string> set ? set.Contains(id) : known.Contains(id, StringComparer.Ordinal)))
        {
            throw Fail(path, line, $"{owner} points to {kind} '{Truncate(id)}', which the archive does not have");
        }
    }

    private static ulong Key(string documentId, string id) => XxHash3.HashToUInt64(Encoding.UTF8.GetBytes($"{documentId}\n{id}"));

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "...";

    private static ArchiveValidationException Fail(string path, int line, string reason) => new($"{path} line {line}: {reason}.");
}
