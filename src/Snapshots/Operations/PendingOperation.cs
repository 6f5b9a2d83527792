using System.Text.Json;
using Snapshots.Projects;

namespace Snapshots.Operations;

public enum PendingKind
{
    Snapshot,
    Restore,
}

/// <summary>
/// A snapshot or restore that was asked for and has not settled yet, written before its record and its
/// orchestration: whatever crash comes between them, the reconciler finds it here, starts its orchestration from
/// the request it keeps, or settles a record whose orchestration ended without doing so.
/// </summary>
public sealed record PendingOperation : IProjectEntity
{
    public const string Partition = "_pending";

    /// <summary>The record's id, also the orchestration's instance id.</summary>
    public required string Id { get; init; }

    public required PendingKind Kind { get; init; }

    /// <summary>The orchestration's input, to start it if it never was.</summary>
    public required JsonElement Request { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>What the orchestration of a pending operation is doing, as far as reconciling needs to know.</summary>
public enum OrchestrationState
{
    Missing,
    Running,
    Ended,
}

/// <summary>What the reconciler does about one pending operation.</summary>
public enum ReconcileAction
{
    /// <summary>Too young: its start may still be on its way.</summary>
    Wait,

    /// <summary>The record is settled (or was never written): the entry goes.</summary>
    Forget,

    /// <summary>The record waits for an orchestration that never started: start it.</summary>
    Start,

    /// <summary>The orchestration ended without settling the record: settle it as failed.</summary>
    Settle,

    /// <summary>Running: nothing to do.</summary>
    Leave,
}

public static class ReconcileRules
{
    /// <summary>How long a start may take before the reconciler steps in.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    public static ReconcileAction Decide(
        DateTimeOffset createdAt, DateTimeOffset now, TimeSpan grace, bool recordExists, bool recordSettled, OrchestrationState orchestration) =>
        now - createdAt < grace ? ReconcileAction.Wait
        : !recordExists || recordSettled ? ReconcileAction.Forget
        : orchestration switch
        {
            OrchestrationState.Missing => ReconcileAction.Start,
            OrchestrationState.Ended => ReconcileAction.Settle,
            _ => ReconcileAction.Leave,
        };
}
