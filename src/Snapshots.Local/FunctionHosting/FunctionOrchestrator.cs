using System.Text.Json;
using Microsoft.DurableTask;

namespace Snapshots.Local.FunctionHosting;

/// <summary>
/// Runs an <c>[OrchestrationTrigger]</c> function. The worker hands the input over as a <see cref="JsonElement"/>,
/// so the context is wrapped to deserialize it on <c>GetInput&lt;T&gt;</c>, as the Functions extension does.
/// </summary>
internal sealed class FunctionOrchestrator(FunctionDescriptor function) : ITaskOrchestrator
{
    public Type InputType => typeof(JsonElement?);

    public Type OutputType => FunctionInvoker.ResultType(function.Method) ?? typeof(object);

    public Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
    {
        var wrapped = new InputBindingOrchestrationContext(context, input as JsonElement?);
        var arguments = function.Method.GetParameters()
            .Select(parameter => parameter == function.TriggerParameter ? (object)wrapped
                : throw new NotSupportedException($"Orchestrator '{function.Name}' may take only its TaskOrchestrationContext."))
            .ToArray();

        // Orchestrators are static or parameterless: they must not do I/O, so they get no services.
        return FunctionInvoker.InvokeAsync(function.Method, EmptyServiceProvider.Instance, arguments);
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
