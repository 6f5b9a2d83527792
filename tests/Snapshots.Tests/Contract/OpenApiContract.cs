using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Snapshots.Functions.Health;
using Snapshots.Functions.Web;

namespace Snapshots.Tests.Contract;

/// <summary>
/// The OpenAPI document of the HTTP API, read as plain JSON: its operations by path, verb and operationId, and the
/// JSON Schema of each documented response, checked against real responses with JsonSchema.Net.
/// </summary>
public sealed partial class OpenApiContract
{
    private const string ComponentsPrefix = "#/components/schemas/";

    private static readonly string[] HttpVerbs = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    private readonly JsonObject document;
    private readonly ConcurrentDictionary<string, JsonSchema> schemas = new();

    public OpenApiContract(JsonObject document)
    {
        this.document = document;
        Operations = [.. ((JsonObject)document["paths"]!)
            .SelectMany(path => ((JsonObject)path.Value!)
                .Where(verb => HttpVerbs.Contains(verb.Key))
                .Select(verb => new DocumentedOperation(path.Key, verb.Key.ToUpperInvariant(), (JsonObject)verb.Value!)))];
    }

    /// <summary>The document the Functions app embeds and serves.</summary>
    public static OpenApiContract Embedded { get; } = new(ReadEmbedded());

    public JsonObject Document => document;

    public IReadOnlyList<DocumentedOperation> Operations { get; }

    public DocumentedOperation Operation(string operationId) =>
        Operations.SingleOrDefault(o => o.OperationId == operationId)
        ?? throw new InvalidOperationException($"The document has no operation '{operationId}'.");

    /// <summary>A path template with every parameter written <c>{}</c>: <c>/api/projects/{projectId}</c> and <c>api/projects/{id:guid}</c> compare equal.</summary>
    public static string NormalizePath(string template) =>
        "/" + Parameter().Replace(template.Trim('/'), "{}");

    /// <summary>
    /// The paths a Functions route answers on (under <c>/api</c>), each with the operationId the document gives it:
    /// the route without its optional trailing parameters carries the function's name, and each optional parameter
    /// added makes another path whose operationId adds that parameter's name (operationIds are unique in a
    /// document). So <c>ui/{file?}</c> of <c>GetWebPage</c> is <c>/api/ui</c> (<c>GetWebPage</c>) and
    /// <c>/api/ui/{file}</c> (<c>GetWebPageFile</c>).
    /// </summary>
    public static IEnumerable<(string Path, string OperationId)> RouteVariants(string route, string functionName)
    {
        var segments = route.Trim('/').Split('/');
        var required = segments.TakeWhile(s => !IsOptional(s)).ToList();
        var optional = segments.Skip(required.Count).ToList();
        var operationId = functionName;
        yield return (NormalizePath("api/" + string.Join('/', required)), operationId);
        foreach (var segment in optional)
        {
            required.Add(segment);
            operationId += Pascal(Parameter().Match(segment).Groups["name"].Value);
            yield return (NormalizePath("api/" + string.Join('/', required)), operationId);
        }
    }

    /// <summary>
    /// Checks a real response against the document: its status is one the operation lists, and a JSON body
    /// matches the schema documented for that status and media type. Returns a JSON body (default for none or another media type).
    /// </summary>
    public async Task<JsonElement> AssertResponseAsync(string operationId, HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected,
            $"{operationId} answered {(int)response.StatusCode} where the test expected {(int)expected}: {text}");
        var errors = Check(operationId, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
        Assert.True(errors.Count == 0,
            $"{operationId} {(int)response.StatusCode} does not match the OpenAPI document:{System.Environment.NewLine}" +
            string.Join(System.Environment.NewLine, errors) + $"{System.Environment.NewLine}body: {text}");
        return text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true
            ? JsonDocument.Parse(text).RootElement.Clone()
            : default;
    }

    /// <summary>What is wrong with a response of <paramref name="operationId"/> by the document; empty when it matches.</summary>
    public IReadOnlyList<string> Check(string operationId, int status, string? mediaType, string body)
    {
        var operation = Operation(operationId);
        if (operation.Definition["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] is not JsonObject documented)
        {
            return [$"status {status} is not documented for {operation.Verb} {operation.Path}"];
        }

        if (documented["content"] is not JsonObject content)
        {
            return body.Length == 0 ? [] : [$"status {status} is documented without a body, but one came ({mediaType})"];
        }

        if (mediaType is null || content[mediaType] is not JsonObject media)
        {
            return [$"media type '{mediaType}' is not documented for status {status} (documented: {string.Join(", ", content.Select(c => c.Key))})"];
        }

        if (!mediaType.EndsWith("json", StringComparison.Ordinal) || media["schema"] is not JsonObject)
        {
            return [];
        }

        JsonElement instance;
        try
        {
            instance = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return [$"the body is not JSON: {ex.Message}"];
        }

        var schema = SchemaFor(operationId, status, mediaType);
        var results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : [.. (results.Details ?? []).Prepend(results)
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"- {(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "(body)")}: {e.Value} [schema {d.EvaluationPath}]"))
                .Distinct()];
    }

    /// <summary>
    /// The documented schema of a response as one JSON Schema 2020-12 document: the components' schemas under
    /// <c>$defs</c> (their <c>#/components/schemas/</c> references rewritten to <c>#/$defs/</c>) beside the response's schema.
    /// </summary>
    public JsonSchema SchemaFor(string operationId, int status, string mediaType) =>
        schemas.GetOrAdd($"{operationId}/{status}/{mediaType}", key =>
        {
            var responseSchema = Operation(operationId).Definition["responses"]![status.ToString(System.Globalization.CultureInfo.InvariantCulture)]!["content"]![mediaType]!["schema"]!;
            return Build(key, responseSchema);
        });

    /// <summary>Builds one components schema by name (to check that every schema is valid JSON Schema).</summary>
    public JsonSchema ComponentSchema(string name) =>
        Build("components/" + name, new JsonObject { ["$ref"] = ComponentsPrefix + name });

    private JsonSchema Build(string key, JsonNode responseSchema)
    {
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = RewriteReferences(document["components"]!["schemas"]!.DeepClone()),
            ["allOf"] = new JsonArray(RewriteReferences(responseSchema.DeepClone())),
        };
        var baseUri = new Uri($"https://snapshots.test/openapi/{Uri.EscapeDataString(key)}");
        return JsonSchema.Build(JsonSerializer.SerializeToElement(root), new BuildOptions { SchemaRegistry = new SchemaRegistry() }, baseUri);
    }

    private static JsonNode RewriteReferences(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (name == "$ref" && value?.GetValue<string>() is { } target && target.StartsWith(ComponentsPrefix, StringComparison.Ordinal))
                    {
                        obj[name] = "#/$defs/" + target[ComponentsPrefix.Length..];
                    }
                    else if (value is not null)
                    {
                        RewriteReferences(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        RewriteReferences(item);
                    }
                }

                break;
        }

        return node;
    }

    private static JsonObject ReadEmbedded()
    {
        using var stream = typeof(HealthFunctions).Assembly.GetManifestResourceStream(OpenApiFunctions.ResourceName)
            ?? throw new InvalidOperationException($"The Functions app embeds no '{OpenApiFunctions.ResourceName}'.");
        return JsonNode.Parse(stream)!.AsObject();
    }

    private static bool IsOptional(string segment) => segment.StartsWith('{') && segment.EndsWith("?}", StringComparison.Ordinal);

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];

    [GeneratedRegex(@"\{\*?(?<name>[A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex Parameter();
}

/// <summary>One operation of the document: where it is and its OpenAPI object.</summary>
public sealed record DocumentedOperation(string Path, string Verb, JsonObject Definition)
{
    public string? OperationId => Definition["operationId"]?.GetValue<string>();

    public override string ToString() => $"{Verb} {Path} ({OperationId})";
}
