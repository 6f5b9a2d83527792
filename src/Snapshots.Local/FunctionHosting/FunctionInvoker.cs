using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Snapshots.Local.FunctionHosting;

/// <summary>Builds the function's class the way the Functions worker does (constructor injection) and awaits the call.</summary>
internal static class FunctionInvoker
{
    public static async Task<object?> InvokeAsync(MethodInfo method, IServiceProvider services, object?[] arguments)
    {
        var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, method.DeclaringType!);
        try
        {
            var result = method.Invoke(target, arguments);
            return await UnwrapAsync(result);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
        finally
        {
            switch (target)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    /// <summary>The type a function produces once awaited: T for Task&lt;T&gt;/ValueTask&lt;T&gt;, null for Task/void.</summary>
    public static Type? ResultType(MethodInfo method)
    {
        var type = method.ReturnType;
        if (type == typeof(void) || type == typeof(Task) || type == typeof(ValueTask))
        {
            return null;
        }

        return type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? type.GetGenericArguments()[0]
            : type;
    }

    private static async Task<object?> UnwrapAsync(object? result)
    {
        switch (result)
        {
            case Task task:
                await task;
                var resultProperty = task.GetType().GetProperty(nameof(Task<object>.Result));
                return resultProperty is null || task.GetType().GetGenericArguments().FirstOrDefault()?.Name == "VoidTaskResult"
                    ? null
                    : resultProperty.GetValue(task);
            case ValueTask valueTask:
                await valueTask;
                return null;
            case not null when result.GetType().IsGenericType && result.GetType().GetGenericTypeDefinition() == typeof(ValueTask<>):
                var asTask = (Task)result.GetType().GetMethod(nameof(ValueTask<object>.AsTask))!.Invoke(result, null)!;
                return await UnwrapAsync(asTask);
            default:
                return result;
        }
    }
}
