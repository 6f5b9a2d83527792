using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Snapshots.Access;
using Snapshots.Functions.Orchestration;
using Snapshots.Local;
using Snapshots.Local.Durable;
using Snapshots.Local.Emulators;
using Snapshots.Local.FunctionHosting;
using Snapshots.Testing.Seeding;

namespace Snapshots.Tests.Support;

/// <summary>
/// The real service for integration and end-to-end tests: Azurite and the Cosmos emulator (installed and
/// started here on free loopback ports), the durable backend on Azurite, and the local runtime on a free port.
/// </summary>
public class ServiceFixture : IAsyncLifetime
{
    private EmulatorSet? emulators;
    private LocalDurableBackend? durable;
    private WebApplication? app;

    /// <summary>Above the fixture's zipped size (about 9 MB), low enough to test the limit quickly.</summary>
    public const long MaxUploadBytes = 32L * 1024 * 1024;

    public const long MaxEntryBytes = 16L * 1024 * 1024;

    public const long MaxJsonFileBytes = 1024 * 1024;

    /// <summary>Snapshots:Imports:MaxUploadBytes and MaxEntryBytes of this service.</summary>
    protected virtual (long Upload, long Entry) Limits => (MaxUploadBytes, MaxEntryBytes);

    public const string CategorizationAiMinVersion = "1.0.0";

    public const string EnvironmentName = "tests";

    /// <summary>The first pause between two attempts of a failed activity in the tests' services (2 s in the service).</summary>
    public const string FirstRetrySeconds = "0.25";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "snapshots-tests", Guid.NewGuid().ToString("N"));

    public EmulatorSet Emulators => emulators ?? throw new InvalidOperationException("Not started.");

    public IServiceProvider Services => app?.Services ?? throw new InvalidOperationException("Not started.");

    /// <summary>The development signing key of this service: tokens minted with it are trusted, others not.</summary>
    public string SigningKey { get; } = DevelopmentTokens.NewKey();

    /// <summary>A client signed in as an environment admin: the default for tests that are not about access.</summary>
    public HttpClient Http { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public string AdminToken => Token(new DevelopmentTokenRequest("test-admin") { EnvironmentRoles = [EnvironmentRoles.Admin] });

    public string Token(DevelopmentTokenRequest request) => DevelopmentTokens.Mint(SigningKey, request);

    /// <summary>A container of the data account with a name no test used before (<paramref name="prefix"/>-random), not created.</summary>
    public Azure.Storage.Blobs.BlobContainerClient UnusedDataContainer(string prefix) =>
        Services.GetRequiredService<Snapshots.Storage.BlobAccounts>().Data.GetBlobContainerClient($"{prefix}-{Guid.NewGuid().ToString("N")[..12]}");

    /// <summary>A new, empty container of the data account.</summary>
    public async Task<Azure.Storage.Blobs.BlobContainerClient> NewDataContainerAsync(string prefix)
    {
        var container = UnusedDataContainer(prefix);
        await container.CreateAsync();
        return container;
    }

    /// <summary>A client that sends <paramref name="token"/> (none when null).</summary>
    public HttpClient ClientWith(string? token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public ILoggerFactory LoggerFactory { get; } = NullLoggerFactory.Instance;

    /// <summary>Makes chosen activities fail or wait (see <see cref="ActivityFaults"/>).</summary>
    public ActivityFaults Faults { get; } = new();

    public async Task InitializeAsync()
    {
        emulators = await EmulatorSet.StartAsync(new EmulatorOptions { DataDirectory = DataDirectory }, LoggerFactory.CreateLogger("emulators"));
        durable = await LocalDurableBackend.StartAsync(new DurableBackendOptions
        {
            StorageConnectionString = emulators.Endpoints.StorageConnectionString,
            TaskHubName = "tests" + Guid.NewGuid().ToString("N")[..8],
            MaxQueuePollingInterval = TestDurablePolling.MaxQueuePollingInterval,
        }, LoggerFactory);
        app = LocalRuntime.Build(new LocalRuntimeOptions
        {
            Args = ["--urls", "http://127.0.0.1:0"],
            Emulators = emulators.Endpoints,
            Durable = durable,
            Settings = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["Snapshots:Imports:MaxUploadBytes"] = Limits.Upload.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Snapshots:Imports:MaxEntryBytes"] = Limits.Entry.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Snapshots:Imports:MaxJsonFileBytes"] = MaxJsonFileBytes.ToString(),
                // The fixture's 57 documents in three import batches (100 by default: one), so what happens between batches is tested.
                ["Snapshots:Imports:DocumentsPerBatch"] = "25",
                ["Snapshots:CategorizationAiMinVersion"] = CategorizationAiMinVersion,
                ["Snapshots:EnvironmentName"] = EnvironmentName,
                ["Auth:DevelopmentSigningKey"] = SigningKey,
                // A failed webhook delivery is tried again after 1 s, then 2 s, ...: the retry tests wait seconds, not minutes.
                ["Snapshots:Webhooks:FirstRetrySeconds"] = "1",
                // A failed activity is tried again after 0.25 s and 0.5 s instead of 2 s and 4 s: the failure tests wait on it.
                [ActivityRetry.FirstRetrySecondsSetting] = FirstRetrySeconds,
                // The scheduler tests drive ticks themselves; a real-time tick in between would only add noise.
                [TimerFunctions.Disable] = "true",
            },
            ConfigureServices = services => services.AddSingleton<IActivityFilter>(Faults).AddSyntheticProjectSeeder(),
        });
        await app.StartAsync();
        Address = new Uri(app.Urls.Single());
        Http = ClientWith(AdminToken);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        if (durable is not null)
        {
            await durable.DisposeAsync();
        }

        if (emulators is not null)
        {
            await emulators.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Polls an operation until it leaves the running states, failing after <paramref name="timeout"/>.</summary>
    public async Task<OperationView> WaitForOperationAsync(string statusUri, TimeSpan? timeout = null)
    {
        var finished = new[] { "Completed", "Failed", "Terminated" };
        return await Eventually.ReturnsAsync(
            async () => (await Http.GetFromJsonAsync<OperationView>(statusUri))!,
            operation => finished.Contains(operation.Status),
            timeout ?? TimeSpan.FromSeconds(60));
    }
}

public sealed record OperationView(string Id, string Name, string Status, System.Text.Json.JsonElement? Output, System.Text.Json.JsonElement? Progress, string? Error);

/// <summary>
/// The tests' task hubs pause up to a second between polls of an idle queue: the suite runs half a dozen services
/// side by side on two cores, and at the service's 50 ms their idle polling alone took a quarter of the CPU (Azurite and
/// the services). A busy queue is polled as fast as before; only one idle for over half a second waits longer.
/// </summary>
public static class TestDurablePolling
{
    public static TimeSpan MaxQueuePollingInterval { get; } = TimeSpan.FromSeconds(1);
}

[CollectionDefinition(Name)]
public sealed class ServiceTestGroup : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}

/// <summary>
/// The permission matrix, the portability tests and the CLI tests, on a service of their own beside the others: the
/// matrix alone calls every endpoint as eight callers, and the three are the longest classes of the service group.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AccessTestGroup : ICollectionFixture<ServiceFixture>
{
    public const string Name = "access";
}

/// <summary>
/// A second service of its own for the restore-safety tests (failures and cancels at every step, hostile content):
/// they are many and slow, and run beside the <see cref="ServiceTestGroup"/> instead of after it.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RestoreSafetyTestGroup : ICollectionFixture<ServiceFixture>
{
    public const string Name = "restore-safety";
}

/// <summary>
/// Dry runs, selections, compare and revert, on a service of their own beside the others: each imports and snapshots
/// the fixture and restores it, and they read the whole environment to show a dry run wrote nothing.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RestorePlanningTestGroup : ICollectionFixture<ServiceFixture>
{
    public const string Name = "restore-planning";
}

/// <summary>
/// The fuzz test and the Konfuzio layout tests, on a service of their own that runs beside the others: the imports
/// the fuzz test lets through keep writing after they report, and the layout tests import the whole sample several times.
/// </summary>
[CollectionDefinition(Name)]
public sealed class UploadTestGroup : ICollectionFixture<UploadServiceFixture>
{
    public const string Name = "uploads";
}

/// <summary>
/// The large upload test on a service of its own, alone: it times how soon a 200 MB upload is answered, which the
/// other collections running beside it on two cores would only blur. xunit runs it after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeUploadTestGroup : ICollectionFixture<UploadServiceFixture>
{
    public const string Name = "large-upload";
}

/// <summary>A service that takes uploads of up to 512 MiB with entries of up to 256 MiB.</summary>
public sealed class UploadServiceFixture : ServiceFixture
{
    protected override (long Upload, long Entry) Limits => (512L * 1024 * 1024, 256L * 1024 * 1024);
}
