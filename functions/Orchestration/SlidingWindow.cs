namespace Snapshots.Functions.Orchestration;

/// <summary>
/// Fans out activities from an orchestrator with at most a fixed number in flight, starting the next one as soon as
/// any finishes. Waves of <c>Task.WhenAll</c> left the workers idle behind the slowest batch of each wave.
/// Results are handed over in completion order, which a durable replay reproduces. When one fails, the others
/// still running are awaited before the failure is rethrown, so nothing is still writing when the orchestrator
/// records the failure.
/// </summary>
public static class SlidingWindow
{
    /// <summary>
    /// How many batch activities every orchestration (create, restore, import) keeps in flight: the one fan-out
    /// width, next to the one retry policy (<see cref="ActivityRetry"/>). Each batch writes with up to
    /// Cosmos:WriteConcurrency requests at once.
    /// </summary>
    public const int BatchWidth = 8;

    public static async Task ForEachAsync<TItem, TResult>(
        IEnumerable<TItem> items, int limit, Func<TItem, Task<TResult>> start, Action<TResult> completed)
    {
        var running = new List<Task<TResult>>(limit);
        try
        {
            foreach (var item in items)
            {
                if (running.Count == limit)
                {
                    completed(await TakeFinishedAsync(running));
                }

                running.Add(start(item));
            }

            while (running.Count > 0)
            {
                completed(await TakeFinishedAsync(running));
            }
        }
        catch
        {
            await SettleAsync(running);
            throw;
        }
    }

    public static Task ForEachAsync<TItem>(IEnumerable<TItem> items, int limit, Func<TItem, Task> start) =>
        ForEachAsync(items, limit, async item =>
        {
            await start(item);
            return true;
        }, _ => { });

    private static async Task<TResult> TakeFinishedAsync<TResult>(List<Task<TResult>> running)
    {
        var finished = await Task.WhenAny(running);
        running.Remove(finished);
        return await finished;
    }

    private static async Task SettleAsync(IEnumerable<Task> running)
    {
        foreach (var task in running)
        {
            try
            {
                await task;
            }
            catch (Exception)
            {
                // The first failure is the one reported; the others only had to finish.
            }
        }
    }
}
