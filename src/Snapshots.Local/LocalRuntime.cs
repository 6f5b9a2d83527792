using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Options;
using Snapshots.Access;
using Snapshots.Functions;
using Snapshots.Functions.Access;
using Snapshots.Functions.Health;
using Snapshots.Functions.Http;
using Snapshots.Local.Durable;
using Snapshots.Local.Emulators;
using Snapshots.Local.FunctionHosting;

namespace Snapshots.Local;

/// <summary>How to build the local runtime around already running emulators and durable backend.</summary>
public sealed record LocalRuntimeOptions
{
    public string[] Args { get; init; } = [];

    public required EmulatorEndpoints Emulators { get; init; }

    public required LocalDurableBackend Durable { get; init; }

    /// <summary>Extra settings applied last (tests use it for limits and feature flags).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Extra services registered last (tests add an <see cref="FunctionHosting.IActivityFilter"/>).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}

/// <summary>
/// Hosts the Functions app's own function classes on ASP.NET Core and a Durable Task worker: HTTP functions on
/// their routes, orchestrators and activities under their function names.
/// </summary>
public static class LocalRuntime
{
    public static IReadOnlyList<FunctionDescriptor> Functions { get; } = FunctionCatalog.Discover(typeof(HealthFunctions).Assembly);

    public static WebApplication Build(LocalRuntimeOptions options)
    {
        var builder = WebApplication.CreateBuilder(options.Args);
        builder.Configuration.AddInMemoryCollection(options.Emulators.ToConfiguration());
        // Webhooks may post to receivers on this machine here, and only here (the deployed app forces it off).
        builder.Configuration.AddInMemoryCollection([new(Snapshots.Webhooks.WebhookOptions.SectionName + ":AllowLoopback", "true")]);
        builder.Configuration.AddInMemoryCollection(options.Settings);

        // The Functions host's limit on every route; the upload routes lift it to the import limits (Snapshots:Imports).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestLimits.HostRequestBodyBytes);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = LocalDurableBackend.ShutdownTimeout);
        builder.Services.AddSnapshotFunctions(builder.Configuration);
        builder.Services.AddMvcCore();
        builder.Services.AddSingleton<DemoProjectLoader>();
        if (!builder.Configuration.GetValue<bool>(TimerFunctions.Disable))
        {
            builder.Services.AddHostedService<TimerFunctions>();
        }

        builder.Services.AddProblemDetails();
        options.ConfigureServices?.Invoke(builder.Services);
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(options.Durable.Channel);
            worker.AddTasks(registry => registry.AddFunctions(Functions));
        });
        builder.Services.AddDurableTaskClient(client =>
        {
            client.UseGrpc(options.Durable.Channel);
            client.RegisterDirectly();
        });

        var app = builder.Build();
        // Outside the error middleware, so the audit sees the status of the problem an exception became.
        app.UseMiddleware<LocalAuditMiddleware>();
        app.UseMiddleware<LocalErrorMiddleware>();
        app.MapHttpFunctions(Functions);
        // The page signs itself in locally with this; it exists only in the local runtime, for loopback callers that
        // asked for a loopback host name (a DNS-rebinding page arrives from loopback too, but under its own host name).
        app.MapGet("/local/development-token", (HttpContext context, IOptions<AuthOptions> auth) =>
            context.Connection.RemoteIpAddress is { } caller && System.Net.IPAddress.IsLoopback(caller)
            && context.Request.Host.Host is "localhost" or "127.0.0.1" or "[::1]" or "::1"
            && auth.Value.DevelopmentSigningKey is { Length: > 0 } key
                ? Results.Text(DevelopmentTokens.Mint(key, new DevelopmentTokenRequest("local-admin") { Name = "Local admin", EnvironmentRoles = [EnvironmentRoles.Admin] }))
                : Results.NotFound());
        app.MapPost("/admin/functions/{name}", async (string name, HttpContext context) =>
        {
            await context.RequestServices.GetRequiredService<RequestAccess>().ForAdminAsync(context.Request);
            var timer = Functions.FirstOrDefault(f => f.Trigger == FunctionTriggerKind.Timer && f.Name == name);
            if (timer is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No timer function named '{name}'.");
            }

            await TimerFunctions.InvokeAsync(timer, context.RequestServices, context.RequestAborted);
            return Results.Accepted();
        }).WithName("RunTimerFunction");
        return app;
    }
}
