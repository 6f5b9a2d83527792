using System.Diagnostics;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Snapshots.Local.FunctionHosting;

/// <summary>Runs an <c>[ActivityTrigger]</c> function: the worker deserializes the input to the trigger parameter's type.</summary>
internal sealed partial class FunctionActivity(FunctionDescriptor function, IServiceProvider services) : ITaskActivity
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
        foreach (var filter in scope.ServiceProvider.GetServices<IActivityFilter>())
        {
            await filter.BeforeAsync(function.Name, input, CancellationToken.None);
        }

        var started = Stopwatch.GetTimestamp();
        var result = await FunctionInvoker.InvokeAsync(function.Method, scope.ServiceProvider, arguments);
        LogRan(services.GetRequiredService<ILogger<FunctionActivity>>(), function.Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    // The benchmark reads these lines to show where a snapshot's or restore's time goes.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Activity {Activity} ran {ElapsedMilliseconds:0} ms")]
    private static partial void LogRan(ILogger logger, string activity, double elapsedMilliseconds);
}
