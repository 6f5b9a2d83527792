using System.Diagnostics;

namespace Snapshots.Tests.Support;

/// <summary>Polls until a condition holds or the timeout passes: the only way tests wait.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, TimeSpan? interval = null)
    {
        var stopwatch = Stopwatch.StartNew();
        T last;
        do
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50));
        }
        while (stopwatch.Elapsed < timeout);

        throw new TimeoutException($"Condition not met within {timeout.TotalSeconds:0.#} s; last value: {last}");
    }

    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout) =>
        ReturnsAsync(() => Task.FromResult(condition()), ok => ok, timeout);
}
