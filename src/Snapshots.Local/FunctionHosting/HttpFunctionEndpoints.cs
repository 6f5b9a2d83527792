using System.ComponentModel;
using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Snapshots.Local.FunctionHosting;

/// <summary>
/// Maps every <c>[HttpTrigger]</c> function onto an ASP.NET Core route with the same verbs and the Functions
/// host's <c>api/</c> prefix, binding arguments the way the isolated worker's ASP.NET Core integration does.
/// </summary>
public static class HttpFunctionEndpoints
{
    public const string RoutePrefix = "api";

    public static IEndpointRouteBuilder MapHttpFunctions(this IEndpointRouteBuilder endpoints, IEnumerable<FunctionDescriptor> functions)
    {
        foreach (var function in functions.Where(f => f.Trigger == FunctionTriggerKind.Http))
        {
            var trigger = function.HttpTrigger;
            var binders = function.Method.GetParameters().Select(CreateBinder).ToArray();
            var route = $"/{RoutePrefix}/{trigger.Route ?? function.Name}";
            var methods = (trigger.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).ToArray();

            endpoints.MapMethods(route, methods, context => InvokeAsync(function, binders, context))
                .WithName(function.Name);
        }

        return endpoints;
    }

    private static async Task InvokeAsync(FunctionDescriptor function, Func<HttpContext, object?>[] binders, HttpContext context)
    {
        var arguments = binders.Select(bind => bind(context)).ToArray();
        var result = await FunctionInvoker.InvokeAsync(function.Method, context.RequestServices, arguments);
        switch (result)
        {
            case IActionResult actionResult:
                await actionResult.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
                break;
            case IResult httpResult:
                await httpResult.ExecuteAsync(context);
                break;
            case null:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            default:
                await context.Response.WriteAsJsonAsync(result, result.GetType(), context.RequestAborted);
                break;
        }
    }

    private static Func<HttpContext, object?> CreateBinder(ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (parameter.IsDefined(typeof(HttpTriggerAttribute)))
        {
            return type == typeof(HttpRequest)
                ? context => context.Request
                : throw Unsupported(parameter, "HTTP triggers must bind HttpRequest (not HttpRequestData)");
        }

        if (type == typeof(DurableTaskClient))
        {
            return context => context.RequestServices.GetRequiredService<DurableTaskClient>();
        }

        if (type == typeof(CancellationToken))
        {
            return context => context.RequestAborted;
        }

        if (type == typeof(FunctionContext))
        {
            throw Unsupported(parameter, "use constructor-injected services instead of FunctionContext");
        }

        var converter = TypeDescriptor.GetConverter(type);
        if (converter.CanConvertFrom(typeof(string)))
        {
            var name = parameter.Name!;
            return context =>
            {
                var raw = context.Request.RouteValues.TryGetValue(name, out var routeValue)
                    ? routeValue?.ToString()
                    : context.Request.Query[name].FirstOrDefault();
                return raw is null ? DefaultOf(parameter) : converter.ConvertFromInvariantString(raw);
            };
        }

        return context => context.RequestServices.GetService(type) ?? throw Unsupported(parameter, "no binding or service for this type");
    }

    private static object? DefaultOf(ParameterInfo parameter) =>
        parameter.HasDefaultValue ? parameter.DefaultValue
        : parameter.ParameterType.IsValueType ? Activator.CreateInstance(parameter.ParameterType)
        : null;

    private static NotSupportedException Unsupported(ParameterInfo parameter, string why) =>
        new($"Parameter '{parameter.Name}' of {parameter.Member.DeclaringType?.Name}.{parameter.Member.Name} cannot be bound by the local runtime: {why}.");
}
