namespace Snapshots.Restore;

/// <summary>Old (archive) id to new (target) id of every schema entity, written once by the schema step.</summary>
public sealed record SchemaMap(Dictionary<string, string> Categories, Dictionary<string, string> LabelSets, Dictionary<string, string> Labels)
{
    public const string BlobName = "schema-map.json";

    public static string? Map(Dictionary<string, string> map, string? oldId) =>
        oldId is null ? null : map.GetValueOrDefault(oldId);
}
