using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Query;

namespace Snapshots.Local.Durable;

/// <summary>
/// Wraps the real orchestration service for the in-process gRPC sidecar. It changes three things, all measured
/// (DESIGN.md section 4): it reports a high work-item concurrency, because the sidecar's fetch loop sleeps 500 ms
/// whenever the reported number of work items is in flight; it renews activity locks in the background, because
/// the sidecar does not and a long activity would otherwise be delivered twice; and it waits for completion by
/// polling quickly instead of the backend's 2 s loop.
/// </summary>
internal sealed class HighConcurrencyOrchestrationService(
    IOrchestrationService service,
    IOrchestrationServiceClient client,
    TimeSpan activityLockRenewalInterval)
    : IOrchestrationService, IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
{
    public const int MaxConcurrentWorkItems = 1000;
    private static readonly TimeSpan CompletionPollInterval = TimeSpan.FromMilliseconds(50);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> activityLockRenewals = new();

    internal int ActiveLockRenewals => activityLockRenewals.Count;

    public int TaskOrchestrationDispatcherCount => service.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => MaxConcurrentWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => service.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => service.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => MaxConcurrentWorkItems;

    private int started;

    public async Task StartAsync()
    {
        await service.StartAsync();
        Interlocked.Exchange(ref started, 1);
    }

    public Task StopAsync() => StopAsync(false);

    public async Task StopAsync(bool isForced)
    {
        foreach (var renewal in activityLockRenewals.Values)
        {
            await renewal.CancelAsync();
        }

        // The sidecar calls this from an async void handler, where an exception would end the process; the Azure
        // Storage service also throws when it is stopped before it started.
        if (Interlocked.Exchange(ref started, 0) == 1)
        {
            try
            {
                await service.StopAsync(isForced);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                System.Diagnostics.Trace.TraceWarning($"Stopping the orchestration service failed: {ex.Message}");
            }
        }
    }

    public Task CreateAsync() => service.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => service.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => service.CreateIfNotExistsAsync();

    public Task DeleteAsync() => service.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => service.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        service.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => service.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => service.GetDelayInSecondsAfterOnFetchException(exception);

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        service.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => service.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        foreach (var message in orchestratorMessages)
        {
            UsePlainTags(message);
        }

        return service.CompleteTaskOrchestrationWorkItemAsync(
            workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
    }

    /// <summary>
    /// The sidecar starts sub-orchestrations with tags in a protobuf map; the Azure Storage backend serializes the
    /// message with its .NET type name and then cannot load that type back, so the sub-orchestration never starts.
    /// A plain dictionary serializes and loads back.
    /// </summary>
    internal static void UsePlainTags(TaskMessage message)
    {
        if (message.Event is ExecutionStartedEvent { Tags: { } tags } started && tags.GetType() != typeof(Dictionary<string, string>))
        {
            started.Tags = new Dictionary<string, string>(tags);
        }
    }

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => service.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => service.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        var workItem = await service.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
        if (workItem is not null)
        {
            StartRenewingLock(workItem);
        }

        return workItem!;
    }

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => service.RenewTaskActivityWorkItemLockAsync(workItem);

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        await StopRenewingLockAsync(workItem);
        await service.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        await StopRenewingLockAsync(workItem);
        await service.AbandonTaskActivityWorkItemAsync(workItem);
    }

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage) => client.CreateTaskOrchestrationAsync(creationMessage);

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage, OrchestrationStatus[] dedupeStatuses) =>
        client.CreateTaskOrchestrationAsync(creationMessage, dedupeStatuses);

    public Task SendTaskOrchestrationMessageAsync(TaskMessage message) => client.SendTaskOrchestrationMessageAsync(message);

    public Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] messages) => client.SendTaskOrchestrationMessageBatchAsync(messages);

    public async Task<OrchestrationState> WaitForOrchestrationAsync(string instanceId, string executionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var state = await client.GetOrchestrationStateAsync(instanceId, executionId);
                if (state is not null && IsFinished(state.OrchestrationStatus))
                {
                    return state;
                }

                await Task.Delay(CompletionPollInterval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null!;
        }
    }

    public Task ForceTerminateTaskOrchestrationAsync(string instanceId, string reason) => client.ForceTerminateTaskOrchestrationAsync(instanceId, reason);

    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string instanceId, bool allExecutions) =>
        client.GetOrchestrationStateAsync(instanceId, allExecutions);

    public Task<OrchestrationState> GetOrchestrationStateAsync(string instanceId, string executionId) =>
        client.GetOrchestrationStateAsync(instanceId, executionId);

    public Task<string> GetOrchestrationHistoryAsync(string instanceId, string executionId) => client.GetOrchestrationHistoryAsync(instanceId, executionId);

    public Task PurgeOrchestrationHistoryAsync(DateTime thresholdDateTimeUtc, OrchestrationStateTimeRangeFilterType timeRangeFilterType) =>
        client.PurgeOrchestrationHistoryAsync(thresholdDateTimeUtc, timeRangeFilterType);

    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery query, CancellationToken cancellationToken) =>
        client is IOrchestrationServiceQueryClient queries
            ? queries.GetOrchestrationWithQueryAsync(query, cancellationToken)
            : throw new NotSupportedException($"{client.GetType().Name} does not support queries.");

    public Task<PurgeResult> PurgeInstanceStateAsync(string instanceId) =>
        client is IOrchestrationServicePurgeClient purges
            ? purges.PurgeInstanceStateAsync(instanceId)
            : throw new NotSupportedException($"{client.GetType().Name} does not support purge.");

    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter purgeInstanceFilter) =>
        client is IOrchestrationServicePurgeClient purges
            ? purges.PurgeInstanceStateAsync(purgeInstanceFilter)
            : throw new NotSupportedException($"{client.GetType().Name} does not support purge.");

    private static bool IsFinished(OrchestrationStatus status) =>
        status is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;

    private void StartRenewingLock(TaskActivityWorkItem workItem)
    {
        var stop = new CancellationTokenSource();
        activityLockRenewals[workItem.Id] = stop;
        _ = RenewUntilStoppedAsync(workItem, stop.Token);
    }

    private async Task StopRenewingLockAsync(TaskActivityWorkItem workItem)
    {
        if (activityLockRenewals.TryRemove(workItem.Id, out var stop))
        {
            await stop.CancelAsync();
            stop.Dispose();
        }
    }

    private async Task RenewUntilStoppedAsync(TaskActivityWorkItem workItem, CancellationToken stopped)
    {
        using var timer = new PeriodicTimer(activityLockRenewalInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopped))
            {
                try
                {
                    await service.RenewTaskActivityWorkItemLockAsync(workItem);
                }
                catch (Exception) when (!stopped.IsCancellationRequested)
                {
                    // A failed renewal is retried at the next tick; if the lock is lost the backend redelivers the
                    // activity, which activities tolerate by being idempotent.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
