using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Snapshots.Tests.Support;

/// <summary>
/// The ARM template that `azd up` deploys, compiled from infra/bicep/main.bicep by .ci/bicep.sh (which also lints
/// it; any warning fails) once per test run: the template tests read what Azure receives, not the Bicep sources.
/// </summary>
public static class CompiledTemplate
{
    private static readonly Lazy<Task<JsonObject>> Compiled = new(CompileAsync);

    public static Task<JsonObject> GetAsync() => Compiled.Value;

    /// <summary>Every object in the template, nested module deployments included.</summary>
    public static IEnumerable<JsonObject> Objects(JsonNode? node) => node switch
    {
        JsonObject obj => new[] { obj }.Concat(obj.SelectMany(p => Objects(p.Value))),
        JsonArray array => array.SelectMany(Objects),
        _ => [],
    };

    /// <summary>The resources of type <paramref name="type"/> anywhere in the template.</summary>
    public static IEnumerable<JsonObject> Resources(JsonObject template, string type) =>
        Objects(template).Where(o => o["type"] is JsonValue value && value.TryGetValue<string>(out var t) && string.Equals(t, type, StringComparison.OrdinalIgnoreCase)
            && o["properties"] is JsonObject);

    private static async Task<JsonObject> CompileAsync()
    {
        var output = Path.Combine(Path.GetTempPath(), $"snapshots-main-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { Path.Combine(RepositoryPaths.Root, ".ci", "bicep.sh"), "--out", output },
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        try
        {
            return process.ExitCode == 0
                ? JsonNode.Parse(await File.ReadAllTextAsync(output))!.AsObject()
                : throw new InvalidOperationException($".ci/bicep.sh failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
        finally
        {
            File.Delete(output);
        }
    }
}
