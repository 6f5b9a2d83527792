using System.Text.Json;
using System.Text.Json.Nodes;

namespace Snapshots.Tests.Support;

/// <summary>
/// What the Konfuzio fixture holds, counted straight from its files with System.Text.Json (its JSON5 files are
/// plain JSON), independently of the importer.
/// </summary>
public sealed class FixtureFacts
{
    private FixtureFacts(string folder)
    {
        Folder = folder;
        Labels = ReadArray("labels.json5");
        LabelSets = ReadArray("label_sets.json5");
        Documents = ReadArray("documents_meta.json5");
        foreach (var document in Documents)
        {
            var id = document["id"]!.ToString();
            if (Directory.Exists(Path.Combine(folder, "documents", id)))
            {
                AnnotationSetsByDocument[id] = ReadArray($"documents/{id}/annotation_sets.json5").Count;
                AnnotationsByDocument[id] = ReadArray($"documents/{id}/annotations.json5").Count;
            }
        }
    }

    public static FixtureFacts Project46 { get; } = new(RepositoryPaths.KonfuzioProject46);

    public string Folder { get; }

    public IReadOnlyList<JsonObject> Labels { get; }

    public IReadOnlyList<JsonObject> LabelSets { get; }

    public IReadOnlyList<JsonObject> Documents { get; }

    public Dictionary<string, int> AnnotationSetsByDocument { get; } = [];

    public Dictionary<string, int> AnnotationsByDocument { get; } = [];

    public int Categories => LabelSets.Count(s => s["is_default"]!.GetValue<bool>());

    public int DocumentsWithStatus(int code) => Documents.Count(d => d["dataset_status"]!.GetValue<int>() == code);

    public IReadOnlyList<JsonObject> ReadArray(string path) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, path)))!.AsArray().Select(n => n!.AsObject()).ToList();

    public JsonObject Find(string path, string id) => ReadArray(path).Single(o => o["id"]!.ToString() == id);

    public static JsonElement Element(JsonNode? node) => JsonSerializer.SerializeToElement(node);
}
