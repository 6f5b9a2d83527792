using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Snapshots.Diagnostics;

/// <summary>
/// The service's own meter and activity source, and the names of the sources it traces from its libraries. Both hosts
/// register them once (<c>AddSnapshotsTelemetry</c>). Counters move where the records change, so an activity retried
/// after it wrote counts again: they count events, not distinct operations.
/// </summary>
public static class SnapshotsTelemetry
{
    public const string Name = "Snapshots";

    /// <summary>Spans of the Durable Task client and worker: create_orchestration, orchestration:*, activity:*.</summary>
    public const string DurableTaskSource = "Microsoft.DurableTask";

    /// <summary>The Azure SDK's spans (Blob Storage; the Cosmos SDK's operations come as Azure.Cosmos.Operation).</summary>
    public const string AzureSdkSources = "Azure.*";

    public static ActivitySource Source { get; } = new(Name);

    private static readonly Meter Meter = new(Name);

    public static Counter<long> SnapshotsCreated { get; } = Meter.CreateCounter<long>("snapshots.created", description: "Snapshots that reached created.");

    public static Counter<long> SnapshotsFailed { get; } = Meter.CreateCounter<long>("snapshots.failed", description: "Snapshots that failed.");

    public static Counter<long> ArchiveBytes { get; } = Meter.CreateCounter<long>("snapshots.archive.bytes", "By", "Bytes of the archives of created snapshots.");

    public static Counter<long> RestoresRestored { get; } = Meter.CreateCounter<long>("restores.restored", description: "Restores published.");

    public static Counter<long> RestoresFailed { get; } = Meter.CreateCounter<long>("restores.failed", description: "Restores that ended in Contact support.");

    public static Histogram<double> RestoreDuration { get; } = Meter.CreateHistogram<double>("restores.duration", "s", "From the request to the publish.");

    public static Counter<long> DocumentsRestored { get; } = Meter.CreateCounter<long>("restores.documents", description: "Documents restored (published).");

    public static Counter<long> VerificationFailures { get; } = Meter.CreateCounter<long>("archives.verification.failures", description: "Archives that failed verification before a restore.");
}
