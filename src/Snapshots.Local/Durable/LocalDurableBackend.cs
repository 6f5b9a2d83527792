using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;

namespace Snapshots.Local.Durable;

public enum DurableBackendKind
{
    /// <summary>Durable Task's Azure Storage backend on Azurite: the production backend's twin, survives restarts.</summary>
    AzureStorage,

    /// <summary>In memory: fastest, not durable. For tests of orchestration logic.</summary>
    InMemory,
}

public sealed record DurableBackendOptions
{
    public DurableBackendKind Kind { get; init; } = DurableBackendKind.AzureStorage;

    /// <summary>Letters and digits only: Azurite rejects '-' in table names.</summary>
    public string TaskHubName { get; init; } = "snapshotslocal";

    public string? StorageConnectionString { get; init; }

    /// <summary>
    /// The longest pause between two polls of an idle task-hub queue. The backend pauses a tenth of the time a queue
    /// has been idle, up to this; 50 ms keeps a chain of activities quick, but every idle runtime still polls each
    /// queue 20 times a second (about 6 % of a core, and as much again in Azurite). The tests, which run several
    /// services side by side, pause up to a second.
    /// </summary>
    public TimeSpan MaxQueuePollingInterval { get; init; } = DefaultMaxQueuePollingInterval;

    public static TimeSpan DefaultMaxQueuePollingInterval { get; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The environment variable that sets <see cref="MaxQueuePollingInterval"/> (milliseconds) of the local runtime.</summary>
    public const string MaxQueuePollingVariable = "Snapshots__Local__DurableMaxQueuePollingMilliseconds";

    /// <summary><see cref="MaxQueuePollingInterval"/> from <see cref="MaxQueuePollingVariable"/>, the default when unset.</summary>
    public static TimeSpan MaxQueuePollingIntervalFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(MaxQueuePollingVariable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0
            ? TimeSpan.FromMilliseconds(milliseconds)
            : DefaultMaxQueuePollingInterval;
}

/// <summary>
/// The Durable Task gRPC sidecar, hosted in-process on a loopback HTTP/2 port, over the chosen orchestration
/// service. The worker and the client of the local runtime connect to it through <see cref="Channel"/>.
/// </summary>
public sealed class LocalDurableBackend : IAsyncDisposable
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
    private readonly WebApplication sidecar;

    private LocalDurableBackend(WebApplication sidecar, GrpcChannel channel)
    {
        this.sidecar = sidecar;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public static async Task<LocalDurableBackend> StartAsync(DurableBackendOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        var (service, client) = await CreateOrchestrationServiceAsync(options, loggerFactory);
        var wrapped = new HighConcurrencyOrchestrationService(service, client, LockTimeout / 3);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);

        // The sidecar stops when the runtime disposes it, after the worker: it must not react to Ctrl-C itself.
        builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(wrapped);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(wrapped);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);

        var address = app.Urls.Single().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return new LocalDurableBackend(app, GrpcChannel.ForAddress(address));
    }

    public async ValueTask DisposeAsync()
    {
        await Channel.ShutdownAsync();
        Channel.Dispose();
        using var timeout = new CancellationTokenSource(ShutdownTimeout);
        await sidecar.StopAsync(timeout.Token);
        await sidecar.DisposeAsync();
    }

    /// <summary>How long stopping may wait for in-flight work; what is cut off is redelivered at the next start.</summary>
    public static TimeSpan ShutdownTimeout { get; } = TimeSpan.FromSeconds(5);

    private static async Task<(IOrchestrationService, IOrchestrationServiceClient)> CreateOrchestrationServiceAsync(
        DurableBackendOptions options, ILoggerFactory loggerFactory)
    {
        if (options.Kind == DurableBackendKind.InMemory)
        {
            var inMemory = new InMemoryOrchestrationService(loggerFactory);
            return (inMemory, inMemory);
        }

        var settings = new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(
                options.StorageConnectionString ?? throw new InvalidOperationException("The Azure Storage backend needs a connection string.")),
            TaskHubName = options.TaskHubName,
            PartitionCount = 1,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            WorkItemQueueVisibilityTimeout = LockTimeout,
            ControlQueueVisibilityTimeout = LockTimeout,
            // A stable worker id lets a restarted runtime take its own partition lease back at once instead of waiting 30 s.
            WorkerId = $"{Environment.MachineName}-{options.TaskHubName}",
            MaxConcurrentTaskActivityWorkItems = HighConcurrencyOrchestrationService.MaxConcurrentWorkItems,
            MaxConcurrentTaskOrchestrationWorkItems = HighConcurrencyOrchestrationService.MaxConcurrentWorkItems,
            ExtendedSessionsEnabled = true,
            ExtendedSessionIdleTimeout = TimeSpan.FromSeconds(30),
            LoggerFactory = loggerFactory,
        };
        var service = new AzureStorageOrchestrationService(settings);
        await service.CreateIfNotExistsAsync();
        return (service, service);
    }
}

/// <summary>A host lifetime that waits for nothing and listens to no signal: its owner starts and stops the host.</summary>
internal sealed class ManualLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
