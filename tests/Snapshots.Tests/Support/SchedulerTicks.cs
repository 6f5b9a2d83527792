using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Backups;
using Snapshots.Functions.Backups;

namespace Snapshots.Tests.Support;

public static class SchedulerTicks
{
    /// <summary>One scheduler tick at <paramref name="now"/> (a fake clock), starting what it starts as the timer function does.</summary>
    public static Task<TickResult> TickSchedulerAsync(this ServiceFixture service, DateTimeOffset now)
    {
        var services = service.Services;
        return services.GetRequiredService<BackupScheduler>().TickAsync(now, new DurableScheduledStarts(
            services.GetRequiredService<DurableTaskClient>(), services.GetRequiredService<Verification.SnapshotVerifier>(),
            services.GetRequiredService<Webhooks.WebhookDispatcher>()), default);
    }
}
