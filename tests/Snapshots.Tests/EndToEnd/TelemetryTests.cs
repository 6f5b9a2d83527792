using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Snapshots.Diagnostics;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;
using Xunit.Abstractions;

namespace Snapshots.Tests.EndToEnd;

/// <summary>
/// One create and one restore, each followed from the HTTP request through its orchestration and activities to the
/// storage calls in one trace, and the Snapshots meter's counters moved. An in-memory exporter listens to the same
/// sources and meter the service registers (<c>AddSnapshotsTelemetry</c>).
/// </summary>
[Collection(ServiceTestGroup.Name)]
public sealed class TelemetryTests(ServiceFixture service, ITestOutputHelper output)
{
    private static readonly string[] Sources = [SnapshotsTelemetry.Name, SnapshotsTelemetry.DurableTaskSource, SnapshotsTelemetry.AzureSdkSources, "Microsoft.AspNetCore", "System.Net.Http"];

    [Fact]
    public async Task A_create_and_a_restore_each_form_one_trace_and_the_counters_move()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource([.. Sources, "Snapshots.Tests"]).AddInMemoryExporter(spans).Build();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(SnapshotsTelemetry.Name).AddInMemoryExporter(metrics).Build();
        using var test = new ActivitySource("Snapshots.Tests");
        var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(
            new SeedSpec { Name = "telemetry", Documents = 4, AnnotationsPerDocument = 2, Ais = 1, DocumentFileBytes = 100, ModelFileBytes = 100 });

        string snapshotId;
        ActivityTraceId createTrace;
        using (var create = test.StartActivity("test: create"))
        {
            createTrace = create!.TraceId;
            snapshotId = (await service.Http.CreateSnapshotAsync(projectId, "dataset")).GetProperty("id").GetString()!;
        }

        ActivityTraceId restoreTrace;
        using (var restore = test.StartActivity("test: restore"))
        {
            restoreTrace = restore!.TraceId;
            Assert.Equal("restored", (await service.Http.RestoreAsync(snapshotId)).GetProperty("status").GetString());
        }

        // The last activities of each end moments after the status says so.
        await Eventually.TrueAsync(() =>
        {
            var done = Copy(spans);
            return Has(done, createTrace, "activity:" + nameof(Functions.Snapshots.CreateSnapshotFunctions.FinishSnapshot))
                && Has(done, restoreTrace, "activity:" + nameof(Functions.Restores.RestoreOrchestrations.DeleteRestoreWorkingBlobs));
        }, TimeSpan.FromSeconds(30));

        var all = Copy(spans);
        Assert.True(Has(all, createTrace, "create_orchestration:" + nameof(Functions.Snapshots.CreateSnapshotFunctions.CreateSnapshotOrchestrator)));
        Assert.Contains(all, s => s.TraceId == createTrace && s.Source.Name.StartsWith("Azure.", StringComparison.Ordinal));
        List<Activity> restoreSpans = [.. all.Where(s => s.TraceId == restoreTrace)];

        Assert.Contains(restoreSpans, s => s.DisplayName == "create_orchestration:" + nameof(Functions.Restores.RestoreOrchestrations.RestoreSnapshotOrchestrator));
        foreach (var step in new[] { "VerifyRestoreArchive", "RestoreSchema", "PlanRestoreDocuments", "RestoreDocumentBatch", "PublishRestore" })
        {
            Assert.Contains(restoreSpans, s => s.DisplayName == "activity:" + step);
        }

        Assert.Contains(restoreSpans, s => s.Source.Name.StartsWith("Azure.", StringComparison.Ordinal) && s.DisplayName.Contains("BlobClient", StringComparison.Ordinal));
        output.WriteLine(Tree(restoreSpans));

        meters.ForceFlush();
        Assert.True(Sum(metrics, "snapshots.created") >= 1);
        Assert.True(Sum(metrics, "snapshots.archive.bytes") > 0);
        Assert.True(Sum(metrics, "restores.restored") >= 1);
        Assert.True(Sum(metrics, "restores.documents") >= 1);
        Assert.Contains(metrics, m => m.Name == "restores.duration");
    }

    /// <summary>The spans exported so far (the exporter appends from the threads that end them).</summary>
    private static List<Activity> Copy(List<Activity> spans)
    {
        while (true)
        {
            try
            {
                return [.. spans.ToArray().Where(s => s is not null)];
            }
            catch (ArgumentException)
            {
                // Resized while copied: copy again.
            }
        }
    }

    private static bool Has(List<Activity> spans, ActivityTraceId trace, string name) => spans.Any(s => s.TraceId == trace && s.DisplayName == name);

    private static long Sum(List<Metric> metrics, string name)
    {
        long total = 0;
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                total += point.GetSumLong();
            }
        }

        return total;
    }

    /// <summary>The trace as an indented list of spans (source: name, duration), the way a trace viewer shows it.</summary>
    private static string Tree(List<Activity> spans)
    {
        var children = spans.ToLookup(s => s.ParentSpanId);
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        var text = new StringBuilder();
        void Write(Activity span, int depth)
        {
            text.AppendLine($"{new string(' ', depth * 2)}{span.Source.Name}: {span.DisplayName} ({span.Duration.TotalMilliseconds:F0} ms)");
            foreach (var child in children[span.SpanId].OrderBy(c => c.StartTimeUtc))
            {
                Write(child, depth + 1);
            }
        }

        foreach (var root in spans.Where(s => !ids.Contains(s.ParentSpanId)).OrderBy(s => s.StartTimeUtc))
        {
            Write(root, 0);
        }

        return text.ToString();
    }
}
