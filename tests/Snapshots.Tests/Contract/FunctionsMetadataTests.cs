using System.Text.Json;
using System.Text.Json.Nodes;
using Snapshots.Local;
using Snapshots.Local.FunctionHosting;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Contract;

/// <summary>
/// No Functions host runs here, so the deployed app and the local runtime are tied through what the build generates
/// for the host: <c>functions.metadata</c> must list exactly the functions the local runtime serves, each with the same
/// trigger, route, verbs and schedule; <c>extensions.json</c> must load the Durable extension; and <c>host.json</c>
/// must use the route prefix the local runtime puts in front of every HTTP route.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly JsonArray Metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")))!.AsArray();

    [Fact]
    public void The_generated_metadata_lists_exactly_the_functions_the_local_runtime_serves()
    {
        Assert.Equal(
            LocalRuntime.Functions.Select(f => f.Name).Order(StringComparer.Ordinal),
            Metadata.Select(f => f!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_function_has_the_same_trigger_route_verbs_and_schedule_in_both()
    {
        var generated = Metadata.ToDictionary(f => f!["name"]!.GetValue<string>(), f => Trigger(f!.AsObject()));
        foreach (var function in LocalRuntime.Functions)
        {
            var trigger = generated[function.Name];
            var expected = function.Trigger switch
            {
                FunctionTriggerKind.Http => $"httpTrigger {function.HttpTrigger.Route} {string.Join(",", function.HttpTrigger.Methods!.Select(m => m.ToLowerInvariant()).Order())}",
                FunctionTriggerKind.Timer => $"timerTrigger {function.TimerTrigger.Schedule}",
                FunctionTriggerKind.Orchestration => "orchestrationTrigger",
                FunctionTriggerKind.Activity => "activityTrigger",
                _ => throw new ArgumentOutOfRangeException(nameof(function), function.Trigger, null),
            };
            Assert.True(expected == trigger, $"{function.Name}: local runtime {expected}, functions.metadata {trigger}");
        }
    }

    [Fact]
    public void The_host_loads_the_durable_extension_and_routes_under_the_local_runtimes_prefix()
    {
        var extensions = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "extensions.json")))!["extensions"]!.AsArray();
        Assert.Contains(extensions, e => e!["name"]!.GetValue<string>() == "DurableTask");

        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        Assert.Equal(HttpFunctionEndpoints.RoutePrefix, host["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
        Assert.Equal("%TaskHubName%", host["extensions"]!["durableTask"]!["hubName"]!.GetValue<string>());
    }

    private static string Trigger(JsonObject function)
    {
        var binding = function["bindings"]!.AsArray().Single(b => b!["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal))!;
        var type = binding["type"]!.GetValue<string>();
        return type switch
        {
            "httpTrigger" => $"httpTrigger {binding["route"]?.GetValue<string>()} {string.Join(",", binding["methods"]!.AsArray().Select(m => m!.GetValue<string>().ToLowerInvariant()).Order())}",
            "timerTrigger" => $"timerTrigger {binding["schedule"]!.GetValue<string>()}",
            _ => type,
        };
    }
}
