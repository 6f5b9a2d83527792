using System.Collections.Concurrent;
using Snapshots.Create;
using Snapshots.Local.FunctionHosting;
using Snapshots.Restore;

namespace Snapshots.Tests.Support;

/// <summary>
/// Makes chosen activities of the restores (or the creation) of one archive fail or wait, through the local runtime's
/// activity filter. Rules are keyed by the snapshot's identifier, known before a restore starts, so a test arms them
/// first and tests sharing the service do not see each other's faults.
/// </summary>
public sealed class ActivityFaults : IActivityFilter
{
    private readonly ConcurrentDictionary<(string Identifier, string Activity), Fault> faults = new();

    /// <summary>Every later run of <paramref name="activity"/> for <paramref name="identifier"/> fails permanently.</summary>
    public void FailAlways(string identifier, string activity) =>
        faults[(identifier, activity)] = new Fault(int.MaxValue, null, null);

    /// <summary>The next run (whose input <paramref name="when"/> accepts) fails permanently (no activity retry); runs after it pass.</summary>
    public void FailOnce(string identifier, string activity, Func<object?, bool>? when = null) =>
        faults[(identifier, activity)] = new Fault(1, null, when);

    /// <summary>The next run waits until the returned gate is released; <see cref="Gate.Reached"/> tells when it got there.</summary>
    public Gate HoldOnce(string identifier, string activity)
    {
        var gate = new Gate();
        faults[(identifier, activity)] = new Fault(1, gate, null);
        return gate;
    }

    public void Clear(string identifier)
    {
        foreach (var key in faults.Keys.Where(k => k.Identifier == identifier))
        {
            faults.TryRemove(key, out _);
        }
    }

    public async Task BeforeAsync(string activity, object? input, CancellationToken cancellationToken)
    {
        var operation = input switch
        {
            RestoreRequest r => r.Identifier,
            RestoreBatch b => b.Restore.Identifier,
            CompleteRestoreRequest c => c.Restore.Identifier,
            PublishedRestoreRef p => p.Restore.Identifier,
            CreateSnapshotRequest s => s.Identifier,
            DocumentBatchRef d => d.Snapshot.Identifier,
            Verification.VerifySnapshotRequest v => v.SnapshotId,
            _ => null,
        };
        // A snapshot's identifier is made when it starts: its creation's faults may be armed by project id instead.
        if (input is CreateSnapshotRequest or DocumentBatchRef && (operation is null || !faults.ContainsKey((operation, activity))))
        {
            operation = input is CreateSnapshotRequest created ? created.ProjectId : ((DocumentBatchRef)input).Snapshot.ProjectId;
        }

        if (operation is null || !faults.TryGetValue((operation, activity), out var fault) || fault.When?.Invoke(input) == false)
        {
            return;
        }

        if (fault.Times != int.MaxValue)
        {
            if (fault.Times <= 1)
            {
                faults.TryRemove((operation, activity), out _);
            }
            else
            {
                faults[(operation, activity)] = fault with { Times = fault.Times - 1 };
            }
        }

        if (fault.Gate is { } gate)
        {
            gate.Arrive();
            await gate.WaitAsync(cancellationToken);
            return;
        }

        throw new PermanentFailureException($"Injected failure in {activity}.");
    }

    private sealed record Fault(int Times, Gate? Gate, Func<object?, bool>? When);

    /// <summary>Where a held activity waits: the test learns it arrived and lets it go on.</summary>
    public sealed class Gate
    {
        private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => reached.Task;

        public void Release() => released.TrySetResult();

        internal void Arrive() => reached.TrySetResult();

        internal Task WaitAsync(CancellationToken cancellationToken) => released.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
    }
}
