using System.Collections.Concurrent;
using Snapshots.Functions.Orchestration;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Unit;

public sealed class SlidingWindowTests
{
    [Fact]
    public async Task Starts_the_next_item_as_soon_as_any_running_one_finishes_never_exceeding_the_limit()
    {
        var pending = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource<int>()).ToArray();
        var started = new ConcurrentQueue<int>();
        var completed = new ConcurrentQueue<int>();

        var run = SlidingWindow.ForEachAsync(Enumerable.Range(0, 5), 2, item =>
        {
            started.Enqueue(item);
            return pending[item].Task;
        }, completed.Enqueue);

        Assert.Equal([0, 1], started);
        pending[1].SetResult(1);
        await StartedAsync(started, [0, 1, 2]);
        pending[2].SetResult(2);
        await StartedAsync(started, [0, 1, 2, 3]);
        foreach (var item in new[] { 0, 3, 4 })
        {
            pending[item].SetResult(item);
        }

        await run;
        Assert.Equal([1, 2, 0, 3, 4], completed);
    }

    [Fact]
    public async Task A_failure_is_rethrown_only_after_the_items_still_running_have_finished()
    {
        var slow = new TaskCompletionSource<int>();
        var run = SlidingWindow.ForEachAsync(new[] { "fails", "slow", "never started" }, 2,
            item => item switch
            {
                "fails" => Task.FromException<int>(new InvalidOperationException("batch 0 failed")),
                "slow" => slow.Task,
                _ => throw new InvalidOperationException("started after a failure"),
            },
            _ => { });

        await Task.Yield();
        Assert.False(run.IsCompleted);
        slow.SetResult(1);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal("batch 0 failed", failure.Message);
    }

    private static async Task StartedAsync(ConcurrentQueue<int> started, int[] expected)
    {
        Assert.True(await Eventually.TrueAsync(() => started.Count >= expected.Length, TimeSpan.FromSeconds(5)));
        Assert.Equal(expected, started);
    }
}
