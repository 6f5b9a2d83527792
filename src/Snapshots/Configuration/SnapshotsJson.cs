using System.Text.Json;
using System.Text.Json.Serialization;

namespace Snapshots.Configuration;

/// <summary>
/// The one JSON convention of the service: camelCase, enums as strings, nulls left out. Used for HTTP bodies,
/// orchestration inputs/outputs and Cosmos documents, so a record reads the same everywhere.
/// </summary>
public static class SnapshotsJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Applies the convention to options owned by a framework (MVC, minimal APIs).</summary>
    public static void Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions();
        Apply(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
