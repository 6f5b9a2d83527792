using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Snapshots.Local.FunctionHosting;

public enum FunctionTriggerKind
{
    Http,
    Orchestration,
    Activity,
    Timer,
}

/// <summary>One <c>[Function]</c> method of the Functions app and the trigger it is bound to.</summary>
public sealed record FunctionDescriptor(string Name, MethodInfo Method, FunctionTriggerKind Trigger, ParameterInfo TriggerParameter)
{
    public HttpTriggerAttribute HttpTrigger => TriggerParameter.GetCustomAttribute<HttpTriggerAttribute>()
        ?? throw new InvalidOperationException($"{Name} is not an HTTP function.");

    public TimerTriggerAttribute TimerTrigger => TriggerParameter.GetCustomAttribute<TimerTriggerAttribute>()
        ?? throw new InvalidOperationException($"{Name} is not a timer function.");
}

/// <summary>
/// Discovers the functions of an assembly from the same attributes the Functions host reads, so a new
/// function needs no second registration to run locally.
/// </summary>
public static class FunctionCatalog
{
    public static IReadOnlyList<FunctionDescriptor> Discover(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => (method, function: method.GetCustomAttribute<FunctionAttribute>()))
            .Where(pair => pair.function is not null)
            .Select(pair => Describe(pair.function!.Name, pair.method))
            .OrderBy(function => function.Name, StringComparer.Ordinal)
            .ToList();

    private static FunctionDescriptor Describe(string name, MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
        {
            FunctionTriggerKind? kind =
                parameter.IsDefined(typeof(HttpTriggerAttribute)) ? FunctionTriggerKind.Http
                : parameter.IsDefined(typeof(OrchestrationTriggerAttribute)) ? FunctionTriggerKind.Orchestration
                : parameter.IsDefined(typeof(ActivityTriggerAttribute)) ? FunctionTriggerKind.Activity
                : parameter.IsDefined(typeof(TimerTriggerAttribute)) ? FunctionTriggerKind.Timer
                : null;
            if (kind is not null)
            {
                return new FunctionDescriptor(name, method, kind.Value, parameter);
            }
        }

        throw new NotSupportedException(
            $"Function '{name}' ({method.DeclaringType?.Name}.{method.Name}) has no trigger the local runtime can host " +
            "(HTTP, orchestration, activity or timer).");
    }
}
