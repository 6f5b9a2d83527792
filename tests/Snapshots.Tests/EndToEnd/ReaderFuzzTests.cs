using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Testing.Seeding;
using Snapshots.Storage;
using Snapshots.Tests.Support;
using Xunit.Abstractions;

namespace Snapshots.Tests.EndToEnd;

/// <summary>
/// Valid snapshot archives and Konfuzio exports mutated at random (fixed seed; <c>SNAPSHOTS_FUZZ_CASES</c> sets how
/// many per kind) and uploaded: each is refused with a 400/413 problem and nothing written, or accepted and then
/// imported (restored) or ended failed with a reason and nothing left of it. Never a 500, never a hang.
/// </summary>
[Collection(UploadTestGroup.Name)]
public sealed class ReaderFuzzTests(UploadServiceFixture service, ITestOutputHelper output)
{
    private const int Seed = 20261201;
    private static readonly int CasesPerKind = int.TryParse(Environment.GetEnvironmentVariable("SNAPSHOTS_FUZZ_CASES"), out var n) ? n : 100;

    private static readonly string[] HostileNames =
        ["../x", "a/../../b", "/abs", "C:/x", "a\\b", "a//b", "x\0y", "regex/../../victim/y", "documents/../../z", new string('n', 300), "cafe\u0301"];

    [Fact]
    public async Task Mutated_konfuzio_exports_are_imported_or_refused_cleanly() =>
        await FuzzAsync("konfuzio", ExportArchives.SmallFixture(), new Random(Seed));

    [Fact]
    public async Task Mutated_snapshot_archives_are_restored_or_refused_cleanly()
    {
        var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(
            new SeedSpec { Name = "fuzz source", Documents = 3, AnnotationsPerDocument = 2, Ais = 3, DocumentFileBytes = 300, ModelFileBytes = 200 });
        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai");
        var archive = await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download");

        await FuzzAsync("snapshot", archive, new Random(Seed + 1));
    }

    private async Task FuzzAsync(string kind, byte[] valid, Random random)
    {
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < CasesPerKind; i++)
        {
            var (mutation, zip) = Mutate(valid, random, sealedLines: kind == "snapshot");
            var outcome = await UploadAsync($"{kind} case {i} ({mutation})", zip);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine($"{CasesPerKind} mutated {kind} uploads (seed {Seed}): " + string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}")));
    }

    /// <summary>One upload's outcome, asserting it is one of the clean ones.</summary>
    private async Task<string> UploadAsync(string what, byte[] zip)
    {
        var projectsBefore = await service.Http.ListProjectIdsAsync();
        var stagedBefore = await StagedAsync();
        using var response = await service.Http.PostZipAsync("/api/imports?name=fuzz", zip).WaitAsync(TimeSpan.FromSeconds(60));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge,
            $"{what}: {(int)response.StatusCode} {body}");
        var answer = JsonDocument.Parse(body).RootElement;
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("detail").GetString()), what);
            Assert.Equal(projectsBefore, await service.Http.ListProjectIdsAsync());
            // Working blobs of earlier restores may still be going; nothing of this upload may stay.
            Assert.Empty((await StagedAsync()).Except(stagedBefore));
            return $"refused {(int)response.StatusCode}";
        }

        // A Konfuzio export starts an import operation; a snapshot archive a restore (its answer is the restore).
        if (!answer.TryGetProperty("status", out _) && answer.TryGetProperty("statusUri", out var statusUri))
        {
            var operation = await Eventually.ReturnsAsync(async () =>
            {
                using var status = await service.Http.GetAsync(statusUri.GetString()!);
                Assert.True(status.IsSuccessStatusCode, $"{what}: the operation answers {(int)status.StatusCode} {await status.Content.ReadAsStringAsync()}");
                return (await status.Content.ReadFromJsonAsync<OperationView>(Snapshots.Configuration.SnapshotsJson.Options))!;
            }, o => o.Status is "Completed" or "Failed" or "Terminated", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));
            if (operation.Status == "Completed")
            {
                return "imported";
            }

            Assert.True(operation.Status == "Failed" && !string.IsNullOrWhiteSpace(operation.Error), $"{what}: import ended {operation} without a reason");
            var projectId = answer.GetProperty("projectId").GetString()!;
            await Eventually.ReturnsAsync(() => service.Http.GetAsync($"/api/projects/{projectId}"), r => r.StatusCode == HttpStatusCode.NotFound, TimeSpan.FromMinutes(1));
            return "import failed";
        }

        var restore = await service.Http.WaitForRestoreAsync(answer.GetProperty("id").GetString()!);
        await service.Http.WaitUntilOrchestrationEndsAsync(answer.GetProperty("id").GetString()!);
        var status = restore.GetProperty("status").GetString();
        Assert.True(status == "restored" || (status == "contactSupport" && !string.IsNullOrWhiteSpace(restore.GetProperty("error").GetString())),
            $"{what}: restore ended {status} without a reason");
        return status == "restored" ? "restored" : "restore failed";
    }

    private async Task<List<string>> StagedAsync()
    {
        var container = service.Services.GetRequiredService<BlobAccounts>().Data.GetBlobContainerClient(BlobContainerNames.Imports);
        var names = new List<string>();
        if (await container.ExistsAsync())
        {
            await foreach (var blob in container.GetBlobsAsync())
            {
                names.Add(blob.Name);
            }
        }

        return names;
    }

    private static (string Mutation, byte[] Zip) Mutate(byte[] valid, Random random, bool sealedLines)
    {
        switch (random.Next(sealedLines ? 6 : 5))
        {
            case 0:
                var flipped = (byte[])valid.Clone();
                var flips = random.Next(1, 5);
                for (var f = 0; f < flips; f++)
                {
                    flipped[random.Next(flipped.Length)] ^= (byte)random.Next(1, 256);
                }

                return ($"{flips} flipped bytes", flipped);
            case 1:
                var length = random.Next(valid.Length);
                return ($"truncated to {length} bytes", valid[..length]);
            case 2:
            {
                var zip = new ZipRewriter(valid);
                var name = Pick(zip.Names, random);
                return ($"content of {name}", zip.Replace(name, text => MutateText(text, random)).ToBytes());
            }

            case 3:
            {
                var zip = new ZipRewriter(valid);
                var name = Pick(zip.Names, random);
                var hostile = Pick(HostileNames, random);
                return ($"{name} renamed", zip.Rename(name, random.Next(2) == 0 ? hostile : name[..(name.LastIndexOf('/') + 1)] + hostile).ToBytes());
            }

            case 4:
            {
                var zip = new ZipRewriter(valid);
                var name = Pick(zip.Names, random);
                return ($"{name} dropped", zip.Remove(name).ToBytes());
            }

            default:
            {
                var zip = new ZipRewriter(valid);
                var name = Pick(zip.Names.Where(n => n.EndsWith(".ndjson", StringComparison.Ordinal)).ToList(), random);
                return ($"sealed line of {name}", zip.ReplaceLinesSealed(name, lines =>
                {
                    var index = random.Next(lines.Count);
                    lines[index] = MutateText(lines[index], random);
                    return lines;
                }).ToBytes());
            }
        }
    }

    private static string MutateText(string text, Random random)
    {
        if (text.Length == 0)
        {
            return "{";
        }

        var at = random.Next(text.Length);
        return random.Next(6) switch
        {
            0 => text.Remove(at, Math.Min(random.Next(1, 40), text.Length - at)),
            1 => text.Insert(at, Pick(["\"", "{", "]", ",", "null", "1e999", "\"../x\"", "\u0000", "[[[[[[[["], random)),
            2 => text[..at],
            3 => Encoding.UTF8.GetString([.. Encoding.UTF8.GetBytes(text).Select((b, i) => i == at ? (byte)(b ^ 0x20) : b)]),
            4 => text.Replace(":", ": null, \"x\":", StringComparison.Ordinal),
            _ => text.Replace("\"id\": ", "\"id\": [", StringComparison.Ordinal),
        };
    }

    private static string Pick(IReadOnlyList<string> items, Random random) => items[random.Next(items.Count)];
}
