using Snapshots.Local;
using Snapshots.Local.FunctionHosting;

namespace Snapshots.Tests.Unit;

public sealed class FunctionCatalogTests
{
    [Fact]
    public void Discovers_the_functions_of_the_Functions_app_with_their_triggers()
    {
        var functions = LocalRuntime.Functions.ToDictionary(f => f.Name);

        Assert.Equal(FunctionTriggerKind.Http, functions["GetHealth"].Trigger);
        Assert.Equal(FunctionTriggerKind.Http, functions["StartPing"].Trigger);
        Assert.Equal(FunctionTriggerKind.Orchestration, functions["PingOrchestrator"].Trigger);
        Assert.Equal(FunctionTriggerKind.Activity, functions["Pong"].Trigger);
    }

    [Fact]
    public void Every_http_route_and_verb_pair_is_unique()
    {
        var pairs = LocalRuntime.Functions
            .Where(f => f.Trigger == FunctionTriggerKind.Http)
            .SelectMany(f => f.HttpTrigger.Methods!.Select(m => $"{m.ToUpperInvariant()} {f.HttpTrigger.Route}"))
            .ToList();

        Assert.NotEmpty(pairs);
        Assert.Equal(pairs.Count, pairs.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Every_http_function_declares_its_route_and_verbs()
    {
        Assert.All(LocalRuntime.Functions.Where(f => f.Trigger == FunctionTriggerKind.Http), f =>
        {
            Assert.False(string.IsNullOrWhiteSpace(f.HttpTrigger.Route), $"{f.Name} has no route");
            Assert.NotEmpty(f.HttpTrigger.Methods!);
        });
    }

    [Fact]
    public void A_method_without_a_supported_trigger_is_rejected_with_its_name()
    {
        var error = Assert.Throws<NotSupportedException>(() => FunctionCatalog.Discover(typeof(Unhostable).Assembly));

        Assert.Contains("NoTrigger", error.Message);
    }
}

public sealed class Unhostable
{
    [Microsoft.Azure.Functions.Worker.Function("NoTrigger")]
    public static void Run(string input)
    {
        _ = input;
    }
}
