using System.Text.Json;
using System.Text.Json.Nodes;
using Snapshots.Naming;

namespace Snapshots.Imports;

/// <summary>Helpers to take typed fields out of a source object, leaving the rest as the entity's extra fields.</summary>
internal static class JsonFields
{
    public static string? TakeId(this JsonObject source, string name, string file, bool required = true)
    {
        var node = Take(source, name);
        if (node is null)
        {
            return required ? throw new ImportValidationException(file, $"an entry has no '{name}'.") : null;
        }

        if (node is JsonValue value && (value.TryGetValue<long>(out _) || value.TryGetValue<string>(out _)))
        {
            // Ids become Cosmos ids and parts of blob names (documents/<id>/...): the closed alphabet only.
            var id = value.ToString();
            return NamePolicy.IdProblem(id) is { } problem ? throw new ImportValidationException(file, $"'{name}': {problem}") : id;
        }

        throw new ImportValidationException(file, $"'{name}' must be a number or a string, found {node.ToJsonString()}.");
    }

    /// <summary>
    /// A reference given as an id or, as API v3 nests them, as an object with an <c>id</c> (<c>{"id": 7, "name": ...}</c>);
    /// the object's other fields repeat the entity it names and are not kept.
    /// </summary>
    public static string? TakeRef(this JsonObject source, string name, string file, bool required = false)
    {
        if (source[name] is JsonObject reference)
        {
            source.Remove(name);
            return reference.TakeId("id", file);
        }

        return source.TakeId(name, file, required);
    }

    public static string? TakeString(this JsonObject source, string name) => TakeValue<string>(source, name);

    public static double? TakeDouble(this JsonObject source, string name) => TakeStruct<double>(source, name);

    public static int? TakeInt(this JsonObject source, string name) => TakeStruct<int>(source, name);

    public static bool? TakeBool(this JsonObject source, string name) => TakeStruct<bool>(source, name);

    public static JsonElement? TakeElement(this JsonObject source, string name) =>
        Take(source, name) is { } node ? JsonSerializer.SerializeToElement(node) : null;

    /// <summary>An id list left in place (read for a link, kept among the extra fields).</summary>
    public static List<string> PeekIdList(this JsonObject source, string name) =>
        source[name] is JsonArray array && array.All(n => n is JsonValue) ? array.Select(n => n!.ToString()).ToList() : [];

    public static List<string> TakeIdList(this JsonObject source, string name)
    {
        if (source[name] is not JsonArray array || array.Any(n => n is not JsonValue))
        {
            return [];
        }

        Take(source, name);
        return array.Select(n => n!.ToString()).ToList();
    }

    /// <summary>What is left of the source: the fields the model does not know, kept as they were.</summary>
    public static Dictionary<string, JsonElement>? Rest(this JsonObject source) =>
        source.Count == 0 ? null : source.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value));

    // A field is taken only when it has the expected type; otherwise it stays among the extra fields, so nothing is lost.
    private static T? TakeValue<T>(JsonObject source, string name)
        where T : class =>
        source.TryGetPropertyValue(name, out var node) && (node is null || (node is JsonValue v && v.TryGetValue<T>(out _)))
            ? (Take(source, name) as JsonValue)?.GetValue<T>()
            : null;

    private static T? TakeStruct<T>(JsonObject source, string name)
        where T : struct =>
        source.TryGetPropertyValue(name, out var node) && (node is null || (node is JsonValue v && v.TryGetValue<T>(out _)))
            ? (Take(source, name) as JsonValue)?.GetValue<T>()
            : null;

    private static JsonNode? Take(JsonObject source, string name)
    {
        if (!source.TryGetPropertyValue(name, out var node))
        {
            return null;
        }

        source.Remove(name);
        return node;
    }
}
