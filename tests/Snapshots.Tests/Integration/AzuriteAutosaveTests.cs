using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Snapshots.Local.Emulators;

namespace Snapshots.Tests.Integration;

/// <summary>
/// The emulator launcher (emulators/azurite.js) spaces LokiJS's autosaves by 20 times the last serialization (5
/// seconds at least), so saving the whole metadata database takes at most a twentieth of Azurite's thread however many
/// blobs it holds. Run in node on a virtual clock: the launcher's LokiJS with timers and performance.now replaced, a
/// database changed every virtual second, and a serialization that costs a given number of virtual milliseconds.
/// </summary>
public sealed class AzuriteAutosaveTests
{
    private const string Script = """
        const { Loki } = require(process.argv[2]);
        const serializeMs = Number(process.argv[3]);
        let now = 0;
        let timers = [];
        const arm = (fn, ms, repeat) => { const timer = { at: now + ms, fn, ms, repeat }; timers.push(timer); return timer; };
        const disarm = timer => { timers = timers.filter(t => t !== timer); };
        globalThis.setTimeout = (fn, ms) => arm(fn, ms, false);
        globalThis.setInterval = (fn, ms) => arm(fn, ms, true);
        globalThis.clearTimeout = disarm;
        globalThis.clearInterval = disarm;
        performance.now = () => now;

        const db = new Loki("autosave.db", { adapter: new Loki.LokiMemoryAdapter(), autosave: true, autosaveInterval: 5000 });
        const saves = [];
        db.serialize = () => { saves.push(now); now += serializeMs; return "{}"; };
        const items = db.addCollection("items");
        for (let second = 1; second <= 120; second++) {
          items.insert({ second });
          for (const due = () => timers.filter(t => t.at <= second * 1000).sort((a, b) => a.at - b.at)[0]; due();) {
            const timer = due();
            disarm(timer);
            now = Math.max(now, timer.at);
            if (timer.repeat) { timer.at += timer.ms; timers.push(timer); }
            timer.fn();
          }
          now = Math.max(now, second * 1000);
        }

        const autosaves = saves.length;
        items.insert({ last: true });
        db.close();
        console.log(JSON.stringify({ saves, autosaves, pendingAfterClose: timers.length }));
        """;

    private sealed record Run(double[] Saves, int Autosaves, int PendingAfterClose);

    [Fact]
    public async Task A_save_that_takes_a_second_is_followed_by_twenty_seconds_without_one()
    {
        var run = await RunAsync(serializeMs: 1000);

        // At 5 s, then every 1 s of serialization + 20 s: 5, 26, 47, 68, 89, 110 (LokiJS alone: every 5 s, 24 times).
        Assert.Equal([5000, 26000, 47000, 68000, 89000, 110000], run.Saves.Take(run.Autosaves));
        Assert.Equal(run.Autosaves + 1, run.Saves.Length);
        Assert.Equal(0, run.PendingAfterClose);
    }

    [Fact]
    public async Task A_cheap_save_keeps_the_five_second_interval_and_a_stop_still_saves_the_last_write()
    {
        var run = await RunAsync(serializeMs: 10);

        // 5 s, then every 10 ms + 5 s: 23 saves up to 120 s.
        Assert.Equal(23, run.Autosaves);
        Assert.All(run.Saves.Take(run.Autosaves).Zip(run.Saves.Skip(1).Take(run.Autosaves - 1)), pair => Assert.InRange(pair.Second - pair.First, 5000, 5010));
        // close() saved what the last insert changed, and left no autosave timer behind.
        Assert.Equal(run.Autosaves + 1, run.Saves.Length);
        Assert.Equal(0, run.PendingAfterClose);
    }

    private static async Task<Run> RunAsync(int serializeMs)
    {
        var emulators = EmulatorSet.LocateEmulatorsDirectory();
        await NpmInstaller.EnsureInstalledAsync(emulators, NullLogger.Instance, CancellationToken.None);
        var script = Path.Combine(Path.GetTempPath(), $"azurite-autosave-{Guid.NewGuid():N}.js");
        await File.WriteAllTextAsync(script, Script);
        try
        {
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { script, Path.Combine(emulators, "azurite.js"), serializeMs.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            using var node = Process.Start(start)!;
            var output = node.StandardOutput.ReadToEndAsync();
            var errors = node.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await node.WaitForExitAsync(timeout.Token);
            Assert.True(node.ExitCode == 0, await errors);
            return JsonSerializer.Deserialize<Run>(await output, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        }
        finally
        {
            File.Delete(script);
        }
    }
}
