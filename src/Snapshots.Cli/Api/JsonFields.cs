using System.Text.Json.Nodes;

namespace Snapshots.Cli.Api;

/// <summary>Reads fields the API promises, failing with one clear line instead of a null reference.</summary>
public static class JsonFields
{
    public static string RequiredString(this JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0
            ? text
            : throw new UnexpectedAnswerException($"the service's answer has no '{name}'");
}
