using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Functions.Diagnostics;
using Snapshots.Functions.Restores;

namespace Snapshots.Functions;

public static class FunctionsServiceCollectionExtensions
{
    /// <summary>Everything the function classes need: the engine and the app's own helpers. Both hosts call this.</summary>
    public static IServiceCollection AddSnapshotFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        Orchestration.ActivityRetry.Configure(configuration);
        services.AddSnapshotsEngine(configuration);
        services.AddSnapshotsTelemetry(configuration);
        services.AddSingleton<RestoreStarter>();
        services.AddSingleton<Access.RequestAccess>();
        return services;
    }
}
