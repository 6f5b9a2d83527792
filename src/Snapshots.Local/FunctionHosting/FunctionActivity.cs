using Microsoft.DurableTask;

namespace Snapshots.Local.FunctionHosting;

/// <summary>Runs an <c>[ActivityTrigger]</c> function: the worker deserializes the input to the trigger parameter's type.</summary>
internal sealed class FunctionActivity(FunctionDescriptor function, IServiceProvider services) : ITaskActivity
{
    public Type InputType => function.TriggerParameter.ParameterType;

    public Type OutputType => FunctionInvoker.ResultType(function.Method) ?? typeof(object);

    public async Task<object?> RunAsync(TaskActivityContext context, object? input)
    {
        await using var scope = services.CreateAsyncScope();
        var arguments = function.Method.GetParameters()
            .Select(parameter => parameter == function.TriggerParameter ? input
                : parameter.ParameterType == typeof(CancellationToken) ? CancellationToken.None
                : parameter.ParameterType == typeof(TaskActivityContext) ? context
                : scope.ServiceProvider.GetRequiredService(parameter.ParameterType))
            .ToArray();
        return await FunctionInvoker.InvokeAsync(function.Method, scope.ServiceProvider, arguments);
    }
}
